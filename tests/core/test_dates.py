"""Dates are calendar dates in the organisation's time zone."""

from datetime import UTC, date, datetime

from lever_cezanne.core.dates import date_from_ms, today_in


def test_today_just_after_midnight_in_london_is_already_tomorrow():
    # 00:30 BST on 1 July is still 30 June in UTC.
    moment = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
    assert today_in("Europe/London", moment) == date(2024, 7, 1)
    assert today_in("UTC", moment) == date(2024, 6, 30)


def test_lever_timestamp_is_read_in_the_organisation_zone():
    just_after_midnight_bst = int(datetime(2024, 6, 30, 23, 30, tzinfo=UTC).timestamp() * 1000)
    assert date_from_ms(just_after_midnight_bst, "Europe/London") == date(2024, 7, 1)
    midnight_utc_in_winter = int(datetime(2024, 1, 15, tzinfo=UTC).timestamp() * 1000)
    assert date_from_ms(midnight_utc_in_winter, "Europe/London") == date(2024, 1, 15)
    assert date_from_ms(midnight_utc_in_winter, "America/New_York") == date(2024, 1, 14)
