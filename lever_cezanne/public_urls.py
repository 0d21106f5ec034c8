"""Absolute URLs we give to others (Lever's redirect_uri, the webhook URL to paste into Lever)."""

from flask import current_app, url_for


def public_url_for(endpoint: str, **values) -> str:
    """Return the endpoint's absolute URL on PUBLIC_BASE_URL.

    Never built from the request's Host or X-Forwarded-Host in production (PUBLIC_BASE_URL is
    required there): a forged header must not choose where Lever sends a code or a hire. Without
    PUBLIC_BASE_URL (development), the request's own address is used.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)


DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def link_for(endpoint: str, **values) -> str:
    """Return the endpoint's absolute URL on PUBLIC_BASE_URL, in a request or not (mail jobs).

    Without PUBLIC_BASE_URL (development only: production requires it) links point at the
    address `make run` serves.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path
