"""Jinja filters for every template: show stored UTC times in the organisation's timezone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from lever_cezanne.core.dates import today_in

DATETIME_FORMAT = "%d %b %Y %H:%M"
DATE_FORMAT = "%d %b %Y"


def to_local(value: datetime) -> datetime:
    """Convert an aware UTC datetime to app.config["TIMEZONE"]."""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def local_datetime(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """Format a timestamp in the organisation's timezone, e.g. "02 Sep 2024 09:30"."""
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def local_date(value: date | datetime | None) -> str:
    """Format a calendar date (or a timestamp's local date), e.g. "02 Sep 2024"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime(DATE_FORMAT)


def local_today() -> date:
    """Return today's date in the organisation's timezone (the default Hire Date)."""
    return today_in(current_app.config["TIMEZONE"])


def init_app(app: Flask) -> None:
    """Make the filters and `local_today()` available to every template."""
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(local_date, "local_date")
    app.add_template_global(local_today, "local_today")
