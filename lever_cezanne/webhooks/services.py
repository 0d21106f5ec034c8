"""What the receiver does with a verified or refused delivery. Services flush, never commit."""

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lever_cezanne.crypto import decrypt
from lever_cezanne.extensions import db
from lever_cezanne.integration.services import SUBDOMAIN_PATTERN
from lever_cezanne.logbook import add_log_entry
from lever_cezanne.models import LeverIntegration, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    DELIVERY_IGNORED,
    DELIVERY_RECEIVED,
    LEVEL_ERROR,
    LEVEL_INFORMATION,
)
from lever_cezanne.webhooks.envelope import Envelope

log = logging.getLogger(__name__)
HIRED_EVENT = "candidateHired"
BAD_SIGNATURE_LOG_INTERVAL = timedelta(minutes=1)
BAD_SIGNATURE_MESSAGE = (
    "A webhook for this integration was refused because its signature did not match the "
    "Signature Token. If Lever's Candidate Hired webhook shows failures, copy its signature token "
    "again into the integration's Details and save. Repeats within a minute are not logged."
)
PING_MESSAGE = "Test webhook received from Lever; signature verified"


def find_integration(subdomain: str) -> LeverIntegration | None:
    """Return the enabled integration for a subdomain, ignoring case, or None."""
    if not SUBDOMAIN_PATTERN.fullmatch(subdomain):
        return None  # no integration can have it (and PostgreSQL refuses a NUL in text)
    return db.session.scalar(
        select(LeverIntegration).where(
            func.lower(LeverIntegration.subdomain) == subdomain.lower(),
            LeverIntegration.enabled.is_(True),
            LeverIntegration.deleted_at.is_(None),
        )
    )


def signature_token_of(integration: LeverIntegration) -> str:
    """Return the integration's signature token in clear (never log it)."""
    return decrypt(integration.signature_token_encrypted)


def note_bad_signature(integration: LeverIntegration) -> bool:
    """Log a refused signature as an Error, at most once a minute; tell whether it was logged."""
    now = utcnow()
    # A conditional UPDATE claims the minute atomically, so a flood from many threads or
    # processes still writes a single row.
    claimed = db.session.execute(
        update(LeverIntegration)
        .where(
            LeverIntegration.id == integration.id,
            or_(
                LeverIntegration.last_bad_signature_logged_at.is_(None),
                LeverIntegration.last_bad_signature_logged_at <= now - BAD_SIGNATURE_LOG_INTERVAL,
            ),
        )
        .values(last_bad_signature_logged_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        add_log_entry(integration.id, LEVEL_ERROR, BAD_SIGNATURE_MESSAGE)
    return bool(claimed)


def note_ping(integration: LeverIntegration) -> None:
    """Record Lever's test request on the log."""
    add_log_entry(integration.id, LEVEL_INFORMATION, PING_MESSAGE)


def token_hash(token: str) -> str:
    """Hash Lever's single-use token: enough to recognise a repeat, useless to replay."""
    return hashlib.sha256(token.encode()).hexdigest()


def store_delivery(integration: LeverIntegration, envelope: Envelope) -> int | None:
    """Insert the delivery unless its token was seen; return the new id, or None for a repeat."""
    values = {
        "integration_id": integration.id,
        "token_hash": token_hash(envelope.token),
        "event": envelope.event,
        "opportunity_id": envelope.opportunity_id,
        "contact_id": envelope.contact_id,
        "triggered_at": envelope.triggered_at,
        "payload": envelope.redacted_json(),
        "status": DELIVERY_RECEIVED if envelope.event == HIRED_EVENT else DELIVERY_IGNORED,
        "attempts": 0,
        "received_at": utcnow(),
        "updated_at": utcnow(),
    }
    # ON CONFLICT DO NOTHING: concurrent repeats of one token resolve to one row, never an error.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(WebhookDelivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["integration_id", "token_hash"])
        .returning(WebhookDelivery.id)
    )
    return db.session.scalar(statement)
