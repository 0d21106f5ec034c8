"""Calendar dates in the organisation's time zone (TIMEZONE), never a day off."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Return today's date where the organisation is."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def date_from_ms(milliseconds: int, timezone: str) -> date:
    """Return the calendar date, in the organisation's zone, of a Lever millisecond timestamp."""
    moment = datetime.fromtimestamp(milliseconds / 1000, UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()
