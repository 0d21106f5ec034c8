"""Read an integration's Log tab: filters, search and keyset pagination that stay fast at scale.

Pages are found by id (newest first) through ix_log_entries_integration_id, or
ix_log_entries_integration_level when a level is chosen, so page 1 and page 20,000 cost the same.
Search matches an opportunity id, a Person Code (or its first 4+ characters), or any part of a
person's name, ignoring accents. Dates are calendar days in the organisation's TIMEZONE.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lever_cezanne.core.pagination import positive_id
from lever_cezanne.core.search import MAX_NAME_WORDS, has_words_starting, prefix_pattern
from lever_cezanne.core.words import words_of
from lever_cezanne.extensions import db
from lever_cezanne.models import LogEntry, Person
from lever_cezanne.models.integration import LEVEL_ERROR, LEVELS

PAGE_SIZE = 50
MAX_SEARCH = 200
MAX_MATCHED_PEOPLE = 500
MIN_CODE_PREFIX = 4


def _parse_day(raw: str | None, label: str, errors: list[str]) -> date | None:
    """Read a YYYY-MM-DD date (what a date input sends); note a clear error for anything else."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(f"“{raw[:20]}” is not a date. Enter the {label} date as YYYY-MM-DD.")
        return None


@dataclass(frozen=True)
class LogFilter:
    level: str | None = None
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False  # Errors nobody has resolved or acknowledged
    errors: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def from_args(cls, args) -> "LogFilter":
        """Read ?level=, ?q=, ?from= and ?to=, ignoring values that are not allowed."""
        level = args.get("level") or None
        search = " ".join((args.get("q") or "").split())[:MAX_SEARCH]
        errors: list[str] = []
        date_from = _parse_day(args.get("from"), "From", errors)
        date_to = _parse_day(args.get("to"), "To", errors)
        if date_from and date_to and date_from > date_to:
            errors.append("The From date is after the To date, so they were swapped.")
            date_from, date_to = date_to, date_from
        open_only = args.get("open") == "1"
        if open_only:
            level = LEVEL_ERROR  # only an Error is open or not
        level = level if level in LEVELS else None
        return cls(level, search, date_from, date_to, open_only, errors)

    def as_args(self) -> dict:
        pairs = (
            ("level", self.level),
            ("q", self.search),
            ("from", self.date_from and self.date_from.isoformat()),
            ("to", self.date_to and self.date_to.isoformat()),
            ("open", "1" if self.open_only else None),
        )
        return {k: v for k, v in pairs if v}


def _matching_people(search: str) -> list[int]:
    """Return ids of people matched by Person Code (or a 4+ character prefix) or by name."""
    by_code = (
        func.lower(Person.person_code).like(prefix_pattern(search), escape="\\")
        if len(search) >= MIN_CODE_PREFIX
        else Person.person_code == search
    )
    words = words_of(search)
    match = (
        or_(by_code, has_words_starting(Person.name_words, words[:MAX_NAME_WORDS]))
        if words
        else by_code
    )
    return list(db.session.scalars(select(Person.id).where(match).limit(MAX_MATCHED_PEOPLE)))


def _utc_start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def filtered(integration_id: int, log_filter: LogFilter, timezone: str = "UTC"):
    """Return the SELECT of the integration's rows that pass the filter (unordered)."""
    query = select(LogEntry).where(LogEntry.integration_id == integration_id)
    if log_filter.level:
        query = query.where(LogEntry.level == log_filter.level)
    if log_filter.open_only:
        query = query.where(LogEntry.resolved_at.is_(None), LogEntry.acknowledged_at.is_(None))
    zone = ZoneInfo(timezone)
    if log_filter.date_from:
        query = query.where(LogEntry.created_at >= _utc_start_of(log_filter.date_from, zone))
    if log_filter.date_to:
        next_day = log_filter.date_to + timedelta(days=1)
        query = query.where(LogEntry.created_at < _utc_start_of(next_day, zone))
    if log_filter.search:
        people = _matching_people(log_filter.search)
        match = LogEntry.opportunity_id == log_filter.search
        query = query.where(or_(match, LogEntry.person_id.in_(people)) if people else match)
    return query


@dataclass
class LogPage:
    entries: list[LogEntry]
    newer: int | None  # pass as ?after= to see newer rows
    older: int | None  # pass as ?before= to see older rows


def log_page(integration_id: int, log_filter: LogFilter, args, timezone: str) -> LogPage:
    """Return one page, newest first, before or after a row id."""
    before, after = positive_id(args.get("before")), positive_id(args.get("after"))
    query = filtered(integration_id, log_filter, timezone).options(
        selectinload(LogEntry.person), selectinload(LogEntry.delivery)
    )
    if after:
        rows = db.session.scalars(
            query.where(LogEntry.id > after).order_by(LogEntry.id.asc()).limit(PAGE_SIZE + 1)
        ).all()
        more_newer, rows = len(rows) > PAGE_SIZE, list(reversed(rows[:PAGE_SIZE]))
        more_older = bool(rows)
    else:
        if before:
            query = query.where(LogEntry.id < before)
        rows = db.session.scalars(query.order_by(LogEntry.id.desc()).limit(PAGE_SIZE + 1)).all()
        more_older, rows = len(rows) > PAGE_SIZE, list(rows[:PAGE_SIZE])
        more_newer = bool(before) and bool(rows)
    return LogPage(
        entries=rows,
        newer=rows[0].id if rows and more_newer else None,
        older=rows[-1].id if rows and more_older else None,
    )


def rows_for_export(
    integration_id: int, log_filter: LogFilter, timezone: str = "UTC", batch: int = 1000
):
    """Yield every filtered row, newest first, a batch at a time (keyset, never OFFSET)."""
    before = None
    while True:
        query = filtered(integration_id, log_filter, timezone).options(
            selectinload(LogEntry.person)
        )
        if before is not None:
            query = query.where(LogEntry.id < before)
        rows = db.session.scalars(query.order_by(LogEntry.id.desc()).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].id
        db.session.expunge_all()  # keep memory flat on a large export
