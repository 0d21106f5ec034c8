"""Authorise an integration with Lever (OAuth 2 authorization code): state, callback, tokens.

The state is random, kept in the signed session cookie bound to one integration, compared in
constant time and used once, so a callback that this browser did not start changes nothing.
"""

import logging
import secrets

from flask import session

from lever_cezanne.extensions import db
from lever_cezanne.integration.services import disconnect
from lever_cezanne.lever import oauth
from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.lever.errors import LeverError, LeverTransientError
from lever_cezanne.lever.tokens import store_tokens
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LeverIntegration, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_AUTHORISED, LEVEL_INFORMATION
from lever_cezanne.public_urls import public_url_for

log = logging.getLogger(__name__)

# Not Authlib's Flask client (authorize_redirect/authorize_access_token), though it keeps a state
# in the session too: it files the state under the state's own value, so a reply whose state does
# not match finds nothing, and the callback could not send the Administrator back to the
# integration they started from; it keeps only its own data (redirect URI, verifier) with the
# state, not the integration; and its token exchange would bypass lever/oauth.py, which times out
# and sorts Lever's errors into busy (try later), expired code and refused.
SESSION_KEY = "lever_oauth"
# A failed exchange leaves the integration Not authorised, whose button reads "Authorise".
TRY_AGAIN = "Click Authorise to try again."


class AuthorisationFailed(Exception):
    """The authorisation did not complete; the message says why and what to do."""

    def __init__(self, message: str, integration_id: int | None = None):
        super().__init__(message)
        self.integration_id = integration_id


def begin(integration: LeverIntegration) -> str:
    """Remember a fresh state for this integration and return Lever's authorize URL."""
    state = secrets.token_urlsafe(32)
    redirect_uri = public_url_for("integration_setup.oauth_callback")
    session[SESSION_KEY] = {
        "state": state,
        "integration_id": integration.id,
        "redirect_uri": redirect_uri,
    }
    return oauth.authorization_url(
        redirect_uri, state, lever_scopes.needed(integration.write_back_notes)
    )


def take_pending(args) -> dict:
    """Return (and forget: single use) the authorisation this browser started, if state matches."""
    pending = session.pop(SESSION_KEY, None)
    sent = args.get("state", "")
    if not isinstance(pending, dict) or not sent:
        raise AuthorisationFailed(
            "This authorisation reply from Lever was not expected (it may have been used already "
            "or your session ended). Open the integration and authorise it again."
        )
    if not secrets.compare_digest(sent.encode(), str(pending["state"]).encode()):
        raise AuthorisationFailed(
            "The reply from Lever did not match the authorisation started here, so it was "
            "ignored. Nothing changed; authorise again from this page if you need to.",
            pending["integration_id"],
        )
    return pending


def complete(integration: LeverIntegration, args, redirect_uri: str, user: User) -> None:
    """Exchange the code for tokens and mark the integration Authorised (flush only)."""
    try:
        token = _exchange(args, redirect_uri)
    except AuthorisationFailed:
        disconnect(integration)  # Lever said no: the integration is Not authorised
        raise
    store_tokens(integration, token)
    integration.auth_status = AUTH_AUTHORISED
    integration.authorised_by = user
    integration.authorised_at = utcnow()
    add_log_entry(integration.id, LEVEL_INFORMATION, f"Lever authorised by {user.display_name}")
    db.session.flush()


def _exchange(args, redirect_uri: str) -> dict:
    error = args.get("error")
    if error == "access_denied":
        raise AuthorisationFailed(
            "Lever was not authorised: the permissions were denied in Lever. Only a Lever Super "
            f"Admin can accept them. {TRY_AGAIN}"
        )
    if error or not args.get("code"):
        described = args.get("error_description") or error or "no authorisation code"
        raise AuthorisationFailed(f"Lever reported a problem ({described[:200]}). {TRY_AGAIN}")
    try:
        return oauth.exchange_code(args["code"], redirect_uri)
    except oauth.InvalidGrant as exc:
        raise AuthorisationFailed(
            f"Lever did not accept the authorisation (it expired or was already used). {TRY_AGAIN}"
        ) from exc
    except LeverTransientError as exc:
        log.warning("Lever authorisation could not be finished (%s)", exc.detail)
        raise AuthorisationFailed(
            f"Lever did not answer while finishing the authorisation. Wait a few minutes, then "
            f"{TRY_AGAIN[0].lower()}{TRY_AGAIN[1:]}"
        ) from exc
    except LeverError as exc:
        raise AuthorisationFailed(str(exc)) from exc
