"""Helpers every feature package shares: validation errors, guards, pagination, search, filters."""
