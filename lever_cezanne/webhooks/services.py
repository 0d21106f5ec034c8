"""What the receiver does with a verified or refused delivery. Services flush, never commit."""

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from lever_cezanne import deliveries
from lever_cezanne.crypto import decrypt
from lever_cezanne.extensions import db
from lever_cezanne.integration.services import SUBDOMAIN_PATTERN
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import LEVEL_ERROR, LEVEL_INFORMATION, LEVEL_WARNING
from lever_cezanne.webhooks.envelope import Envelope
from lever_cezanne.webhooks.freshness import WINDOW_TEXT

log = logging.getLogger(__name__)
REPEAT_LOG_INTERVAL = timedelta(minutes=1)
BAD_SIGNATURE_MESSAGE = (
    "A webhook for this integration was refused because its signature did not match the "
    "Signature Token. If Lever's Candidate Hired webhook shows failures, copy its signature token "
    "again into the integration's Details and save. Repeats within a minute are not logged."
)
PING_MESSAGE = (
    "Test webhook received from Lever; signature verified. Repeats within a minute are not logged."
)
STALE_MESSAGE = (
    "A webhook for this integration was refused because Lever triggered it at a time outside "
    f"the accepted window ({WINDOW_TEXT}): an old signed webhook is refused so that a copied "
    "one cannot be replayed. If a hire is missing, move the candidate out of Hired in Lever and "
    "back; if this repeats, check this server's clock. Repeats within a minute are not logged."
)


def find_integration(subdomain: str) -> LeverIntegration | None:
    """Return the integration (paused or not, not deleted) for a subdomain, ignoring case."""
    if not SUBDOMAIN_PATTERN.fullmatch(subdomain):
        return None  # no integration can have it (and PostgreSQL refuses a NUL in text)
    return db.session.scalar(
        select(LeverIntegration).where(
            func.lower(LeverIntegration.subdomain) == subdomain.lower(),
            LeverIntegration.deleted_at.is_(None),
        )
    )


def signature_token_of(integration: LeverIntegration) -> str:
    """Return the integration's signature token in clear (never log it)."""
    return decrypt(integration.signature_token_encrypted)


def _claim_log_minute(integration: LeverIntegration, column) -> bool:
    """Claim this minute's Log row for one kind of repeated event; tell whether it was ours."""
    now = utcnow()
    # A conditional UPDATE claims the minute atomically, so a flood from many threads or
    # processes still writes a single row.
    claimed = db.session.execute(
        update(LeverIntegration)
        .where(
            LeverIntegration.id == integration.id,
            or_(column.is_(None), column <= now - REPEAT_LOG_INTERVAL),
        )
        .values({column: now})
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(claimed)


def note_bad_signature(integration: LeverIntegration) -> bool:
    """Log a refused signature as an Error, at most once a minute; tell whether it was logged."""
    logged = _claim_log_minute(integration, LeverIntegration.last_bad_signature_logged_at)
    if logged:
        add_log_entry(integration.id, LEVEL_ERROR, BAD_SIGNATURE_MESSAGE)
    return logged


def note_stale(integration: LeverIntegration) -> bool:
    """Log a delivery refused for its triggeredAt, at most once a minute."""
    logged = _claim_log_minute(integration, LeverIntegration.last_stale_logged_at)
    if logged:
        add_log_entry(integration.id, LEVEL_WARNING, STALE_MESSAGE)
    return logged


def note_ping(integration: LeverIntegration) -> bool:
    """Record Lever's test request on the log, at most once a minute."""
    # `data` is unsigned, so any captured hire body replays as a ping: without the limit,
    # one body could fill the Log tab.
    logged = _claim_log_minute(integration, LeverIntegration.last_ping_logged_at)
    if logged:
        add_log_entry(integration.id, LEVEL_INFORMATION, PING_MESSAGE)
    return logged


def secret_hash(value: str) -> str:
    """Hash Lever's token or signature: enough to recognise a repeat, useless to replay."""
    return hashlib.sha256(value.encode()).hexdigest()


def delivery_fields(envelope: Envelope) -> dict:
    """Return what the inbox keeps of a verified envelope."""
    return {
        "token_hash": secret_hash(envelope.token),
        "signature_hash": secret_hash(envelope.signature),
        "opportunity_id": envelope.opportunity_id,
        "contact_id": envelope.contact_id,
        "triggered_at": envelope.triggered_at,
        "payload": envelope.stored_json(),
    }


def store_delivery(integration: LeverIntegration, envelope: Envelope) -> int | None:
    """Store the delivery unless its token or signature was seen; return the new id or None."""
    # While the integration is paused the hire is stored held: Resume processes it.
    return deliveries.store(
        integration.id,
        event=envelope.event,
        held=integration.is_paused,
        **delivery_fields(envelope),
    )
