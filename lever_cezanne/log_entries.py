"""Write rows on an integration's Log tab, and own an Error's lifecycle. Flushes, never commits.

An Error is open until its hire later completes (resolved, with when and how) or an
Administrator acknowledges it (with who, when and an optional note).
"""

import logging
from contextlib import nullcontext

from sqlalchemy import case, update

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.extensions import db
from lever_cezanne.models import LogEntry, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import LEVEL_ERROR, LEVELS

log = logging.getLogger(__name__)
MAX_MESSAGE_LENGTH = 2000


def add_log_entry(
    integration_id: int,
    level: str,
    message: str,
    *,
    person_id: int | None = None,
    delivery_id: int | None = None,
    opportunity_id: str | None = None,
    cause: str | None = None,
    flush: bool = True,
) -> LogEntry:
    """Add an Information, Warning or Error row that says what happened and what to do.

    `flush=False` leaves the row to the caller's next flush or commit (one flush for a step's
    records and its rows)."""
    if level not in LEVELS:
        raise ValueError(f"unknown log level {level!r}")
    entry = LogEntry(
        integration_id=integration_id,
        level=level,
        message=message[:MAX_MESSAGE_LENGTH],
        person_id=person_id,
        delivery_id=delivery_id,
        opportunity_id=opportunity_id,
        cause=cause,
    )
    db.session.add(entry)
    if flush:
        db.session.flush()
    # A row about a delivery (a retry from the Log tab, say) is stamped like the job's lines.
    with delivery_context(delivery_id) if delivery_id is not None else nullcontext():
        log.info("integration %s %s: %s", integration_id, level, message[:200])
    return entry


RESOLVED_BY_RETRY = "the hire completed when it was retried"
RESOLVED_BY_WEBHOOK = "the hire completed when Lever sent it again"
MAX_NOTE_LENGTH = 1000


def resolve_errors(delivery_id: int, integration_id: int, opportunity_id: str, before) -> None:
    """Resolve the hire's open Error rows written before `before`: its hire has now completed."""
    if not opportunity_id:
        return
    now = utcnow()
    earlier = (
        update(LogEntry)
        .where(
            LogEntry.integration_id == integration_id,
            LogEntry.opportunity_id == opportunity_id,
            LogEntry.level == LEVEL_ERROR,
            LogEntry.resolved_at.is_(None),
            LogEntry.created_at < before,
        )
        .execution_options(synchronize_session=False)
    )
    # One statement: this delivery's own rows were resolved by its retry, others' (or none's) by
    # Lever sending the hire again.
    how = case((LogEntry.delivery_id == delivery_id, RESOLVED_BY_RETRY), else_=RESOLVED_BY_WEBHOOK)
    db.session.execute(earlier.values(resolved_at=now, resolved_how=how))


def acknowledge_error(entry: LogEntry, user: User, note: str = "") -> None:
    """Record that an Administrator has seen an Error: it drops out of the open count."""
    if entry.level != LEVEL_ERROR:
        raise ValueError("only Error rows can be acknowledged")
    entry.acknowledged_at = utcnow()
    entry.acknowledged_by = user
    entry.acknowledgement_note = " ".join(note.split())[:MAX_NOTE_LENGTH] or None
    db.session.flush()
