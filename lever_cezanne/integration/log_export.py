"""CSV export of a filtered Log tab, streamed, safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from lever_cezanne.models import LogEntry

HEADER = [
    "Time",
    "Time (UTC, ISO 8601)",
    "Level",
    "Message",
    "Person",
    "Person Code",
    "Opportunity",
    "Delivery",
]
LOCAL_FORMAT = "%d %b %Y %H:%M:%S %Z"  # 01 Dec 2026 21:58:03 GMT
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _row(entry: LogEntry, zone: ZoneInfo) -> list[str]:
    person = entry.person
    return [
        entry.created_at.astimezone(zone).strftime(LOCAL_FORMAT),
        entry.created_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        entry.level_label,
        entry.message,
        person.full_name if person else "",
        person.person_code if person else "",
        entry.opportunity_id or "",
        entry.delivery_id or "",
    ]


def csv_lines(entries: Iterable[LogEntry], timezone: str) -> Iterator[str]:
    """Yield the CSV text line by line, header first."""
    zone = ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield _drain(buffer)
    for entry in entries:
        writer.writerow([safe_cell(cell) for cell in _row(entry, zone)])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text
