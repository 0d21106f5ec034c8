"""Times are shown in the organisation's timezone."""

from datetime import UTC, date, datetime

from flask import render_template_string

SUMMER = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)


def test_local_datetime_uses_the_configured_timezone(app):
    assert render_template_string("{{ t|local_datetime }}", t=SUMMER) == "01 Jul 2026 09:30"
    app.config["TIMEZONE"] = "America/New_York"
    assert render_template_string("{{ t|local_datetime }}", t=SUMMER) == "01 Jul 2026 04:30"


def test_local_date_shows_the_local_calendar_day(app):
    app.config["TIMEZONE"] = "Pacific/Auckland"
    late_evening_utc = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert render_template_string("{{ t|local_date }}", t=late_evening_utc) == "02 Mar 2026"
    assert render_template_string("{{ d|local_date }}", d=date(2026, 3, 1)) == "01 Mar 2026"


def test_missing_values_render_empty(app):
    assert (
        render_template_string("[{{ none|local_datetime }}{{ none|local_date }}]", none=None)
        == "[]"
    )
