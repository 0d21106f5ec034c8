"""Lever's OAuth 2 authorization-code grant via Authlib: authorize URL, code exchange, refresh.

Only the protocol lives here; storing tokens and locking is in ``tokens``. Every call has a
timeout and every failure becomes a ``LeverError``.
"""

import logging

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.lever.errors import (
    LeverAuthorisationError,
    LeverError,
    LeverRequestError,
    LeverTransientError,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 20)
BAD_CLIENT_MESSAGE = (
    "Lever did not accept Cezanne HR's app credentials (LEVER_CLIENT_ID and LEVER_CLIENT_SECRET): "
    "ask whoever runs Cezanne HR to check them, then authorise again."
)


class InvalidGrant(LeverAuthorisationError):
    """Lever answered invalid_grant: the code or refresh token is spent, revoked or expired."""


def timeout():
    """Return the (connect, read) timeout for every Lever call."""
    return current_app.config.get("LEVER_TIMEOUT", DEFAULT_TIMEOUT)


def _session(**kwargs) -> OAuth2Session:
    config = current_app.config
    return OAuth2Session(
        client_id=config["LEVER_CLIENT_ID"],
        client_secret=config["LEVER_CLIENT_SECRET"],
        # Lever documents the client secret in the form body, not HTTP Basic.
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        default_timeout=timeout(),
        **kwargs,
    )


def authorization_url(redirect_uri: str, state: str, scopes: tuple[str, ...] | None = None) -> str:
    """Build the URL of Lever's consent screen, asking for these scopes (default: no notes)."""
    config = current_app.config
    scope = " ".join(scopes or lever_scopes.needed(write_back_notes=False))
    with _session(redirect_uri=redirect_uri, scope=scope) as session:
        url, _ = session.create_authorization_url(
            config["LEVER_AUTHORIZE_URL"],
            state=state,
            audience=config["LEVER_AUDIENCE"],
            # Always show Lever's consent screen, as Lever's own example app does.
            prompt="consent",
        )
    return url


def exchange_code(code: str, redirect_uri: str) -> dict:
    """Swap the one-time authorization code for access and refresh tokens."""
    with _session(redirect_uri=redirect_uri) as session:
        return _call(
            lambda: session.fetch_token(
                current_app.config["LEVER_TOKEN_URL"],
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
                timeout=timeout(),
            )
        )


def refresh(refresh_token: str) -> dict:
    """Spend a refresh token for a new access token and (rotated) refresh token."""
    with _session() as session:
        return _call(
            lambda: session.refresh_token(
                current_app.config["LEVER_TOKEN_URL"],
                refresh_token=refresh_token,
                timeout=timeout(),
            )
        )


def _call(fetch) -> dict:
    """Run a token-endpoint request and turn its failures into LeverErrors."""
    try:
        return dict(fetch())
    except OAuthError as exc:
        # Lever (Auth0) answers 403, sometimes 400: match on the error field, not the status.
        log.warning("Lever token endpoint refused the request: %s", exc.error)
        if exc.error == "invalid_grant":
            raise InvalidGrant() from exc
        raise LeverRequestError(BAD_CLIENT_MESSAGE) from exc
    except requests.HTTPError as exc:
        raise _http_error(exc.response) from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise LeverTransientError(
            "Lever's sign-in service did not answer in time",
            detail=f"token endpoint {type(exc).__name__}",
        ) from exc
    except (ValueError, requests.RequestException) as exc:
        raise LeverTransientError(
            "Lever's sign-in service sent an answer we could not read"
        ) from exc


def _http_error(response) -> LeverError:
    status = response.status_code if response is not None else 0
    if status == 429 or status >= 500:
        return LeverTransientError(
            "Lever's sign-in service is unavailable",
            detail=f"token endpoint HTTP {status}",
        )
    log.warning("Lever's token endpoint answered HTTP %s", status)
    return LeverRequestError(f"Lever's sign-in service refused the request. {BAD_CLIENT_MESSAGE}")
