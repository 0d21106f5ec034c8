"""Template filters: show stored UTC times in the organisation's timezone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select

from lever_cezanne.extensions import db
from lever_cezanne.hr import bp
from lever_cezanne.models import Task
from lever_cezanne.models.processes import TASK_OPEN
from lever_cezanne.onboarding.dates import today_in

DATETIME_FORMAT = "%d %b %Y %H:%M"
DATE_FORMAT = "%d %b %Y"


def to_local(value: datetime) -> datetime:
    """Convert an aware UTC datetime to app.config["TIMEZONE"]."""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


@bp.app_template_filter("local_datetime")
def local_datetime(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """Format a timestamp in the organisation's timezone, e.g. "02 Sep 2024 09:30"."""
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


@bp.app_template_filter("local_date")
def local_date(value: date | datetime | None) -> str:
    """Format a calendar date (or a timestamp's local date), e.g. "02 Sep 2024"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime(DATE_FORMAT)


@bp.app_template_global("local_today")
def local_today() -> date:
    """Return today's date in the organisation's timezone (the default Hire Date)."""
    return today_in(current_app.config["TIMEZONE"])


@bp.app_context_processor
def open_task_count() -> dict:
    """Give the navigation a way to count the signed-in user's open New Starter tasks."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        query = select(func.count()).where(
            Task.assignee_id == current_user.id, Task.status == TASK_OPEN
        )
        return db.session.scalar(query) or 0

    return {"open_task_count": count}
