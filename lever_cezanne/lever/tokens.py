"""An integration's OAuth tokens: stored encrypted, refreshed by one worker at a time.

Refresh tokens rotate (lever-api.md §1.5): each one works once. If two workers spent the same
one, the loser would get invalid_grant and the integration would look revoked. So a refresh
takes the integration's row lock (SELECT ... FOR UPDATE on PostgreSQL; a process lock on SQLite,
which has no row locks and serialises writers anyway), RE-READS the row, and only calls Lever
if nobody refreshed in the meantime. The new tokens are committed before they are used, so a
crash after the refresh cannot lose the rotated refresh token.

Authlib performs the refresh grant itself (``oauth.refresh``), but its automatic refresh inside
OAuth2Session is not used: it does no cross-process locking, so two workers holding the same
expired token would both spend the refresh token. The locking around it is ours.

This module COMMITS (only the token columns it changes; the lock is released by that commit).
Callers must not hold uncommitted work in ``db.session`` across Lever client calls.
"""

import logging
import threading
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text

from lever_cezanne import crypto
from lever_cezanne.extensions import db
from lever_cezanne.lever import oauth
from lever_cezanne.lever.errors import LeverAuthorisationError, LeverRequestError
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    AUTH_AUTHORISED,
    AUTH_NEEDS_REAUTHORISATION,
    AUTH_NOT_AUTHORISED,
)

log = logging.getLogger(__name__)

# Refresh this long before Lever's expiry, so a token never expires mid-request.
LEEWAY = timedelta(seconds=60)
NOT_AUTHORISED_MESSAGE = (
    "Lever is not authorised for this integration: authorise it under Integrations › Lever."
)
UNREADABLE_MESSAGE = (
    "The stored Lever tokens cannot be decrypted with the configured encryption keys: ask whoever "
    "runs Cezanne HR to restore the old key, or re-authorise under Integrations › Lever."
)

_process_locks: dict[int, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@dataclass(frozen=True)
class AccessToken:
    """A usable access token and the ciphertext it was read from (to spot a rotation)."""

    value: str
    ciphertext: str
    expires_at: datetime | None


def store_tokens(integration: LeverIntegration, token: dict) -> None:
    """Encrypt and keep a token-endpoint answer on the integration (flush only)."""
    integration.access_token_encrypted = crypto.encrypt(token["access_token"])
    if token.get("scope"):  # a refresh may leave it out: the grant's scopes are unchanged
        integration.granted_scopes = str(token["scope"])[:2000]
    if token.get("refresh_token"):
        integration.refresh_token_encrypted = crypto.encrypt(token["refresh_token"])
        integration.refresh_token_issued_at = utcnow()
    expires_in = token.get("expires_in")
    integration.access_token_expires_at = (
        utcnow() + timedelta(seconds=int(expires_in)) if expires_in else None
    )
    db.session.flush()


def forget_tokens(integration: LeverIntegration) -> None:
    """Drop the integration's tokens (flush only)."""
    integration.access_token_encrypted = None
    integration.refresh_token_encrypted = None
    integration.refresh_token_issued_at = None
    integration.access_token_expires_at = None
    integration.granted_scopes = None
    db.session.flush()


def load_integration(
    integration_id: int, lock: bool = False, options: tuple = ()
) -> LeverIntegration | None:
    """Read the integration fresh from the database, optionally locking its row; `options` are
    loader options (rows the caller reads next, loaded in the same query)."""
    query = select(LeverIntegration).where(LeverIntegration.id == integration_id).options(*options)
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def check_usable(integration: LeverIntegration | None) -> None:
    """Refuse, without calling Lever, an integration that cannot call Lever."""
    if integration is None or integration.deleted_at is not None:
        raise LeverRequestError("This Lever integration has been deleted.")
    if integration.auth_status == AUTH_NEEDS_REAUTHORISATION:
        raise LeverAuthorisationError()
    if integration.auth_status == AUTH_NOT_AUTHORISED or not integration.access_token_encrypted:
        raise LeverAuthorisationError(NOT_AUTHORISED_MESSAGE)


def _decrypt(ciphertext: str) -> str:
    try:
        return crypto.decrypt(ciphertext)
    except crypto.DecryptionError as exc:
        raise LeverRequestError(UNREADABLE_MESSAGE) from exc


def current_token(integration: LeverIntegration) -> AccessToken:
    """Return the stored access token as it is (fresh or not)."""
    return AccessToken(
        _decrypt(integration.access_token_encrypted),
        integration.access_token_encrypted,
        integration.access_token_expires_at,
    )


def is_fresh(token: AccessToken, leeway: timedelta = LEEWAY) -> bool:
    """Tell whether the token will outlive the leeway."""
    return token.expires_at is None or token.expires_at - leeway > utcnow()


def _serialise(integration_id: int):
    """Serialise refreshes in this process when the database has no row locks."""
    if db.engine.dialect.name != "sqlite":
        return nullcontext()
    with _process_locks_guard:
        return _process_locks.setdefault(integration_id, threading.Lock())


def refresh_access_token(
    integration_id: int, seen: AccessToken, force: bool = False
) -> AccessToken:
    """Refresh the access token unless another worker already did; commit before returning.

    ``seen`` is the token the caller found stale (expiring, or answered 401 when ``force``): if
    the row now holds a different, unexpired one, someone else refreshed and it is used instead.
    """
    with _serialise(integration_id):
        integration = load_integration(integration_id, lock=True)
        try:
            check_usable(integration)
            stored = current_token(integration)
            rotated = stored.ciphertext != seen.ciphertext
            if (rotated and is_fresh(stored, timedelta(0))) or (not force and is_fresh(stored)):
                db.session.commit()  # nothing changed: just release the row lock
                return stored
            if not integration.refresh_token_encrypted:
                _needs_reauthorisation(integration, "no refresh token")
            refresh_token = _decrypt(integration.refresh_token_encrypted)
        except Exception:
            db.session.rollback()  # releases the row lock (a no-op after a commit)
            raise
        return _spend_refresh_token(integration, refresh_token)


def _needs_reauthorisation(integration: LeverIntegration, reason: str) -> None:
    """Mark the integration Needs re-authorisation, commit, and raise."""
    # Until an Administrator re-authorises, no further token calls are made for this
    # integration: check_usable refuses first. That stops a retry storm against Lever.
    integration.auth_status = AUTH_NEEDS_REAUTHORISATION
    db.session.commit()
    log.warning("Lever integration %s needs re-authorisation (%s)", integration.id, reason)
    raise LeverAuthorisationError()


def _spend_refresh_token(integration: LeverIntegration, refresh_token: str) -> AccessToken:
    """Call Lever's token endpoint while holding the row lock, then save and commit."""
    try:
        token = oauth.refresh(refresh_token)
    except oauth.InvalidGrant:
        # The row is locked and was re-read, so nobody rotated this token under us: it really is
        # revoked or expired.
        _needs_reauthorisation(integration, "invalid_grant")
    except Exception:
        db.session.rollback()
        raise
    store_tokens(integration, token)
    fresh = current_token(integration)
    _commit_waits_for_disk()
    db.session.commit()
    log.info("Lever integration %s: access token refreshed", integration.id)
    return fresh


def _commit_waits_for_disk() -> None:
    """Make this transaction's commit wait for the disk, even in a worker whose commits do not
    (deliveries.commands): Lever has already spent the old refresh token, so losing the new one
    in a database crash would take the integration to Needs re-authorisation."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO on"))


def refuse_fresh_token(integration_id: int, refused: AccessToken) -> None:
    """Lever answered 401 to a just-refreshed token: mark Needs re-authorisation and raise."""
    integration = load_integration(integration_id, lock=True)
    if (
        integration is not None
        and integration.auth_status == AUTH_AUTHORISED
        and integration.access_token_encrypted == refused.ciphertext
    ):
        _needs_reauthorisation(integration, "401 after a refresh")
    db.session.commit()
    raise LeverAuthorisationError()
