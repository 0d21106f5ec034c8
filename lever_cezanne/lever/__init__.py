"""Lever Data API client: OAuth tokens (encrypted, refreshed under a row lock), rate limit, errors.

Callers build a client with ``LeverClient.for_integration(integration_id)`` and catch the
``LeverError`` family from ``lever_cezanne.lever.errors``.
"""
