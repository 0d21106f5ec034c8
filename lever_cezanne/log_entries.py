"""Write rows on an integration's Log tab, and own an Error's lifecycle. Writes in the caller's
transaction, never commits.

An Error is open until its hire later completes (resolved, with when and how) or an
Administrator acknowledges it (with who, when and an optional note).
"""

import logging
from contextlib import nullcontext

from sqlalchemy import bindparam, case, insert, update

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.extensions import db
from lever_cezanne.models import LogEntry, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import LEVEL_ERROR, LEVELS

log = logging.getLogger(__name__)
MAX_MESSAGE_LENGTH = 2000
# Built once: a worker writes two or three rows a hire, and a statement built per row (and the
# ORM's unit of work for a row nothing reads back) cost it more than the INSERT itself.
_INSERT = insert(LogEntry.__table__).returning(LogEntry.__table__.c.id)


def add_log_entry(
    integration_id: int,
    level: str,
    message: str,
    *,
    person_id: int | None = None,
    delivery_id: int | None = None,
    opportunity_id: str | None = None,
    cause: str | None = None,
) -> int:
    """Write an Information, Warning or Error row that says what happened and what to do, in
    the caller's transaction (it commits the row with whatever the row is about); return its id.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown log level {level!r}")
    row = {
        "integration_id": integration_id,
        "level": level,
        "message": message[:MAX_MESSAGE_LENGTH],
        "person_id": person_id,
        "delivery_id": delivery_id,
        "opportunity_id": opportunity_id,
        "cause": cause,
    }
    entry_id = db.session.execute(_INSERT, row).scalar_one()
    # A row about a delivery (a retry from the Log tab, say) is stamped like the job's lines.
    with delivery_context(delivery_id) if delivery_id is not None else nullcontext():
        log.info("integration %s %s: %s", integration_id, level, message[:200])
    return entry_id


RESOLVED_BY_RETRY = "the hire completed when it was retried"
RESOLVED_BY_WEBHOOK = "the hire completed when Lever sent it again"
MAX_NOTE_LENGTH = 1000


_rows = LogEntry.__table__.c
# One statement: this delivery's own rows were resolved by its retry, others' (or none's) by
# Lever sending the hire again. Built once, like _INSERT: every hire that completes runs it.
# Its parameters are not named after columns, which an UPDATE's would set.
_RESOLVE = (
    update(LogEntry.__table__)
    .where(
        _rows.integration_id == bindparam("integration"),
        _rows.opportunity_id == bindparam("opportunity"),
        _rows.level == LEVEL_ERROR,
        _rows.resolved_at.is_(None),
        _rows.created_at < bindparam("before"),
    )
    .values(
        resolved_at=bindparam("resolved"),
        resolved_how=case(
            (_rows.delivery_id == bindparam("delivery"), RESOLVED_BY_RETRY),
            else_=RESOLVED_BY_WEBHOOK,
        ),
    )
)


def resolve_errors(delivery_id: int, integration_id: int, opportunity_id: str, before) -> None:
    """Resolve the hire's open Error rows written before `before`: its hire has now completed."""
    if not opportunity_id:
        return
    db.session.execute(
        _RESOLVE,
        {
            "integration": integration_id,
            "opportunity": opportunity_id,
            "before": before,
            "resolved": utcnow(),
            "delivery": delivery_id,
        },
    )


def acknowledge_error(entry: LogEntry, user: User, note: str = "") -> None:
    """Record that an Administrator has seen an Error: it drops out of the open count."""
    if entry.level != LEVEL_ERROR:
        raise ValueError("only Error rows can be acknowledged")
    entry.acknowledged_at = utcnow()
    entry.acknowledged_by = user
    entry.acknowledgement_note = " ".join(note.split())[:MAX_NOTE_LENGTH] or None
    db.session.flush()
