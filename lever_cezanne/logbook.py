"""Write rows on an integration's Log tab. Flushes, never commits."""

import logging

from lever_cezanne.extensions import db
from lever_cezanne.models import LogEntry
from lever_cezanne.models.integration import LEVELS

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
) -> LogEntry:
    """Add an Information, Warning or Error row that says what happened and what to do."""
    if level not in LEVELS:
        raise ValueError(f"unknown log level {level!r}")
    entry = LogEntry(
        integration_id=integration_id,
        level=level,
        message=message[:MAX_MESSAGE_LENGTH],
        person_id=person_id,
        delivery_id=delivery_id,
        opportunity_id=opportunity_id,
    )
    db.session.add(entry)
    db.session.flush()
    log.info("integration %s %s: %s", integration_id, level, message[:200])
    return entry
