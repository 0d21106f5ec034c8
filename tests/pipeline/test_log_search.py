"""Log search by any part of a name (accents ignored), Person Code prefix and opportunity id;
date ranges in the organisation's zone; times with their zone, on the page and in the CSV."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from lever_cezanne.core.dates import today_in
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LogEntry, Person


@pytest.fixture
def zoe(db):
    person = Person(
        person_code="ZB-2024-0042",
        first_name="Zoë",
        middle_name="Ánne",
        surname="Brontë-Smith",
        known_as="Zoë",
        full_name="Zoë Ánne Brontë-Smith",
        legal_name="Zoë Ánne Brontë-Smith",
        gender_id=1,
        date_of_birth=date(1990, 1, 1),
    )
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def rows(db, plain_integration, zoe):
    add_log_entry(plain_integration.id, "information", "About Zoë", person_id=zoe.id)
    add_log_entry(plain_integration.id, "warning", "About opp-9", opportunity_id="opp-9a8b7c")
    add_log_entry(plain_integration.id, "error", "Someone else", opportunity_id="opp-1")
    db.session.commit()


def _messages(html):
    return re.findall(r"<td class=\"log-message\">\s*<p>([^<]*)</p>", html)


def _log(client, integration, **args):
    return client.get(f"/integrations/lever/{integration.id}/log", query_string=args)


@pytest.mark.parametrize(
    "search",
    ["Zoe", "zoë", "ZOE", "anne", "Anne", "bronte", "Brontë", "smith", "zoe smith", "Bro Zo"],
)
def test_any_part_of_the_name_ignoring_accents(
    client, hr_user, login_as, plain_integration, rows, search
):
    login_as(hr_user)
    assert _messages(_log(client, plain_integration, q=search).get_data(as_text=True)) == [
        "About Zoë"
    ]


@pytest.mark.parametrize("search", ["oe", "mith", "zoe jones", "nne"])
def test_a_name_search_matches_whole_word_starts_only(
    client, hr_user, login_as, plain_integration, rows, search
):
    login_as(hr_user)
    assert _messages(_log(client, plain_integration, q=search).get_data(as_text=True)) == []


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("ZB-2024-0042", ["About Zoë"]),
        ("zb-2", ["About Zoë"]),  # four characters: a prefix is enough
        ("ZB-", []),  # three are too few to stand for a code
        ("opp-9a8b7c", ["About opp-9"]),
        ("opp-9", []),  # an opportunity id is matched whole
    ],
)
def test_person_code_prefix_and_opportunity_id(
    client, hr_user, login_as, plain_integration, rows, search, found
):
    login_as(hr_user)
    assert _messages(_log(client, plain_integration, q=search).get_data(as_text=True)) == found


def test_a_renamed_person_is_found_by_the_new_name(
    db, client, hr_user, login_as, plain_integration, zoe, rows
):
    zoe.surname, zoe.full_name = "Ødegård", "Zoë Ødegård"
    db.session.commit()
    login_as(hr_user)
    assert _messages(_log(client, plain_integration, q="odegard").get_data(as_text=True)) == [
        "About Zoë"
    ]
    assert _messages(_log(client, plain_integration, q="bronte").get_data(as_text=True)) == [
        "About Zoë"  # still in the legal name, which was not changed
    ]


def _at(db, entry, moment):
    entry.created_at = moment
    db.session.commit()


def test_date_range_is_in_the_organisation_zone(db, client, hr_user, login_as, plain_integration):
    # London is on BST in July: 23:30 UTC on 30 June is already 1 July there.
    late = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "information", "First of July, London")
    )
    _at(db, late, datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    early = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "information", "Thirtieth of June, London")
    )
    _at(db, early, datetime(2026, 6, 30, 22, 30, tzinfo=UTC))
    august = db.session.get(LogEntry, add_log_entry(plain_integration.id, "error", "August"))
    _at(db, august, datetime(2026, 8, 2, 9, 0, tzinfo=UTC))
    login_as(hr_user)

    def shown(**args):
        return _messages(_log(client, plain_integration, **args).get_data(as_text=True))

    assert shown(**{"from": "2026-07-01", "to": "2026-07-01"}) == ["First of July, London"]
    assert shown(to="2026-06-30") == ["Thirtieth of June, London"]
    assert shown(**{"from": "2026-07-01"}) == ["August", "First of July, London"]
    assert shown(**{"from": "2026-07-01", "level": "error"}) == ["August"]


def test_a_bad_date_is_explained_and_a_reversed_range_swapped(
    db, client, hr_user, login_as, plain_integration
):
    entry = db.session.get(LogEntry, add_log_entry(plain_integration.id, "information", "July row"))
    _at(db, entry, datetime(2026, 7, 10, 12, 0, tzinfo=UTC))
    login_as(hr_user)
    response = _log(client, plain_integration, **{"from": "10/07/2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a date. Enter the From date as YYYY-MM-DD." in html
    assert _messages(html) == ["July row"]
    html = _log(client, plain_integration, **{"from": "2026-07-31", "to": "2026-07-01"}).get_data(
        as_text=True
    )
    assert "swapped" in html and _messages(html) == ["July row"]
    assert 'value="2026-07-01"' in html and 'value="2026-07-31"' in html


def test_errors_only_shortcut(client, hr_user, login_as, plain_integration, rows):
    login_as(hr_user)
    html = _log(client, plain_integration).get_data(as_text=True)
    assert f'href="/integrations/lever/{plain_integration.id}/log?level=error"' in html
    errors = _log(client, plain_integration, level="error").get_data(as_text=True)
    assert _messages(errors) == ["Someone else"]


def test_times_carry_their_zone_on_the_page_and_in_the_csv(
    app, db, client, hr_user, login_as, plain_integration, zoe
):
    entry = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "error", "Winter row", person_id=zoe.id)
    )
    _at(db, entry, datetime(2026, 12, 1, 21, 58, 3, tzinfo=UTC))
    login_as(hr_user)
    assert "01 Dec 2026 21:58 GMT" in _log(client, plain_integration).get_data(as_text=True)

    app.config["TIMEZONE"] = "America/New_York"
    assert "01 Dec 2026 16:58 EST" in _log(client, plain_integration).get_data(as_text=True)
    response = client.get(f"/integrations/lever/{plain_integration.id}/log.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][:4] == [
        "01 Dec 2026 16:58:03 EST",
        "2026-12-01T21:58:03Z",
        "Error",
        "Winter row",
    ]


def test_csv_is_named_after_the_subdomain_and_today(
    app, client, hr_user, login_as, plain_integration
):
    login_as(hr_user)
    response = client.get(f"/integrations/lever/{plain_integration.id}/log.csv")
    today = today_in(app.config["TIMEZONE"]).isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="lever-CezanneHR-log-{today}.csv"'
    )


def test_the_csv_keeps_the_search_and_dates(db, client, hr_user, login_as, plain_integration, rows):
    login_as(hr_user)
    html = _log(client, plain_integration, q="zoe", **{"from": "2026-01-01"}).get_data(as_text=True)
    assert "log.csv?q=zoe&amp;from=2026-01-01" in html


def test_open_errors_only_leaves_out_resolved_and_acknowledged_errors(
    db, client, hr_user, login_as, plain_integration
):
    from lever_cezanne.models.base import utcnow

    add_log_entry(plain_integration.id, "information", "Fine")
    add_log_entry(plain_integration.id, "error", "Still open")
    resolved = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "error", "Resolved later")
    )
    resolved.resolved_at, resolved.resolved_how = utcnow(), "Retry now"
    acknowledged = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "error", "Acknowledged")
    )
    acknowledged.acknowledged_at = utcnow()
    db.session.commit()
    login_as(hr_user)
    html = _log(client, plain_integration).get_data(as_text=True)
    shortcut = f"/integrations/lever/{plain_integration.id}/log?level=error&amp;open=1"
    assert f'href="{shortcut}"' in html
    for args in ({"level": "error", "open": "1"}, {"open": "1"}):
        page = _log(client, plain_integration, **args).get_data(as_text=True)
        assert _messages(page) == ["Still open"]
        assert 'name="open" value="1" checked' in page
    assert _messages(_log(client, plain_integration, level="error").get_data(as_text=True)) == [
        "Acknowledged",
        "Resolved later",
        "Still open",
    ]
    response = client.get(f"/integrations/lever/{plain_integration.id}/log.csv?open=1")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[3] for row in rows[1:]] == ["Still open"]


def test_a_csv_asked_with_a_date_that_is_not_one_is_refused_saying_why(
    client, admin, login_as, plain_integration
):
    login_as(admin)
    url = f"/integrations/lever/{plain_integration.id}/log.csv"
    response = client.get(url, query_string={"from": "bad"})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "“bad” is not a date. Enter the From date as YYYY-MM-DD." in text
    assert "Nothing was downloaded" in text
    # Dates the wrong way round are swapped, as on the Log tab: the file is given.
    swapped = client.get(url, query_string={"from": "2026-02-01", "to": "2026-01-01"})
    assert swapped.status_code == 200 and swapped.mimetype == "text/csv"
