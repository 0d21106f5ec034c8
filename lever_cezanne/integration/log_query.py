"""Read an integration's Log tab: filters, search and keyset pagination that stay fast at scale.

Pages are found by id (newest first) through ix_log_entries_integration_id, or
ix_log_entries_integration_level when a level is chosen, so page 1 and page 20,000 cost the same.
Search matches an exact opportunity id or Person Code, or the start of a person's full name.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lever_cezanne.extensions import db
from lever_cezanne.hr.pagination import positive_id
from lever_cezanne.hr.search import prefix_pattern
from lever_cezanne.models import LogEntry, Person
from lever_cezanne.models.integration import LEVELS

PAGE_SIZE = 50
MAX_SEARCH = 200
MAX_MATCHED_PEOPLE = 500


@dataclass(frozen=True)
class LogFilter:
    level: str | None = None
    search: str = ""

    @classmethod
    def from_args(cls, args) -> "LogFilter":
        """Read ?level= and ?q=, ignoring values that are not allowed."""
        level = args.get("level") or None
        search = " ".join((args.get("q") or "").split())[:MAX_SEARCH]
        return cls(level if level in LEVELS else None, search)

    def as_args(self) -> dict:
        return {k: v for k, v in (("level", self.level), ("q", self.search)) if v}


def _matching_people(search: str) -> list[int]:
    """Return ids of people whose Person Code is the search, or whose name starts with it."""
    prefix = prefix_pattern(search)
    return list(
        db.session.scalars(
            select(Person.id)
            .where(
                or_(
                    Person.person_code == search,
                    func.lower(Person.full_name).like(prefix, escape="\\"),
                )
            )
            .limit(MAX_MATCHED_PEOPLE)
        )
    )


def filtered(integration_id: int, log_filter: LogFilter):
    """Return the SELECT of the integration's rows that pass the filter (unordered)."""
    query = select(LogEntry).where(LogEntry.integration_id == integration_id)
    if log_filter.level:
        query = query.where(LogEntry.level == log_filter.level)
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


def log_page(integration_id: int, log_filter: LogFilter, args) -> LogPage:
    """Return one page, newest first, before or after a row id."""
    before, after = positive_id(args.get("before")), positive_id(args.get("after"))
    query = filtered(integration_id, log_filter).options(
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


def rows_for_export(integration_id: int, log_filter: LogFilter, batch: int = 1000):
    """Yield every filtered row, newest first, a batch at a time (keyset, never OFFSET)."""
    before = None
    while True:
        query = filtered(integration_id, log_filter).options(selectinload(LogEntry.person))
        if before is not None:
            query = query.where(LogEntry.id < before)
        rows = db.session.scalars(query.order_by(LogEntry.id.desc()).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].id
        db.session.expunge_all()  # keep memory flat on a large export
