"""The integration's Log tab: newest first, filters, search, keyset pages, delivery, retry, CSV."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lever_cezanne.deliveries import queue
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LogEntry, Person, WebhookDelivery


@pytest.fixture
def person(db):
    found = Person(
        person_code="contact-42",
        first_name="Alison",
        surname="Hendrix",
        known_as="Alison",
        full_name="Alison Hendrix",
        legal_name="Alison Hendrix",
        gender_id=1,
        date_of_birth=date(1990, 1, 1),
        lever_opportunity_id="opp-42",
        lever_opportunity_url="https://hire.sandbox.lever.co/candidates/opp-42",
    )
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def failed_delivery(db, plain_integration):
    delivery = WebhookDelivery(
        integration_id=plain_integration.id,
        token_hash="a" * 64,
        event="candidateHired",
        opportunity_id="opp-42",
        triggered_at=1700000000123,
        payload=json.dumps({"event": "candidateHired", "data": {"opportunityId": "opp-42"}}),
        status="failed",
        attempts=6,
        last_error="Lever is having problems (HTTP 500).",
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def _url(integration, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/integrations/lever/{integration.id}/log" + (f"?{query}" if query else "")


def _messages(html):
    return re.findall(r"<td class=\"log-message\">\s*<p>([^<]*)</p>", html)


def test_rows_are_newest_first_with_badges_and_local_time(
    db, client, hr_user, login_as, plain_integration
):
    first = db.session.get(
        LogEntry, add_log_entry(plain_integration.id, "information", "First thing")
    )
    second = db.session.get(LogEntry, add_log_entry(plain_integration.id, "error", "Second thing"))
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    second.created_at = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration)).get_data(as_text=True)
    assert _messages(html) == ["Second thing", "First thing"]
    assert "01 Jul 2024 00:30 BST" in html
    assert 'badge badge-error">Error' in html and 'badge badge-info">Information' in html
    assert first.id < second.id


def test_filter_by_level(db, client, hr_user, login_as, plain_integration):
    add_log_entry(plain_integration.id, "information", "Fine")
    add_log_entry(plain_integration.id, "warning", "Careful")
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration, level="warning")).get_data(as_text=True)
    assert _messages(html) == ["Careful"]
    everything = client.get(_url(plain_integration, level="nonsense")).get_data(as_text=True)
    assert len(_messages(everything)) == 2


@pytest.mark.parametrize("search", ["Alison", "alison hen", "contact-42", "opp-42"])
def test_search_by_name_person_code_or_opportunity(
    db, client, hr_user, login_as, plain_integration, person, search
):
    add_log_entry(plain_integration.id, "information", "About Alison", person_id=person.id)
    add_log_entry(plain_integration.id, "warning", "About the opportunity", opportunity_id="opp-42")
    add_log_entry(plain_integration.id, "information", "Someone else", opportunity_id="opp-7")
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration, q=search)).get_data(as_text=True)
    found = _messages(html)
    assert "Someone else" not in found
    assert found and set(found) <= {"About Alison", "About the opportunity"}


def test_search_wildcards_are_literal(db, client, hr_user, login_as, plain_integration, person):
    add_log_entry(plain_integration.id, "information", "About Alison", person_id=person.id)
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration, q="%25")).get_data(as_text=True)
    assert _messages(html) == [] and "No log rows match" in html


def test_keyset_pages_walk_the_whole_log(db, client, hr_user, login_as, plain_integration):
    for n in range(120):
        add_log_entry(plain_integration.id, "information", f"Row {n}")
    db.session.commit()
    login_as(hr_user)
    seen, url = [], _url(plain_integration)
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _messages(html)
        older = re.search(r'href="([^"]*before=\d+[^"]*)">Older', html)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == [f"Row {n}" for n in reversed(range(120))]
    # And back: Newer from the last page shows the rows just above it.
    newer = re.search(r'href="([^"]*after=\d+[^"]*)">Newer', html).group(1).replace("&amp;", "&")
    assert _messages(client.get(newer).get_data(as_text=True)) == [
        f"Row {n}" for n in reversed(range(20, 70))
    ]


def test_row_links_to_person_and_lever(db, client, hr_user, login_as, plain_integration, person):
    add_log_entry(
        plain_integration.id, "information", "Hi", person_id=person.id, opportunity_id="opp-42"
    )
    add_log_entry(plain_integration.id, "warning", "Other", opportunity_id="opp 9/x")
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration)).get_data(as_text=True)
    assert "https://hire.sandbox.lever.co/candidates/opp-42" in html
    assert "https://hire.lever.co/candidates/opp%209%2Fx" in html
    assert re.search(r"Alison Hendrix(</a>)? \(contact-42\)", html)
    if "people.person_show" in client.application.view_functions:
        assert f'href="/people/{person.id}"' in html


def test_delivery_details_and_retry_for_administrators_only(
    db, client, admin, hr_user, login_as, plain_integration, failed_delivery
):
    add_log_entry(plain_integration.id, "error", "It failed", delivery_id=failed_delivery.id)
    db.session.commit()
    login_as(hr_user)
    html = client.get(_url(plain_integration)).get_data(as_text=True)
    assert "<details" in html and "Webhook delivery" in html
    assert "Lever is having problems (HTTP 500)." in html
    payload_url = (
        f"/integrations/lever/{plain_integration.id}/deliveries/{failed_delivery.id}/payload"
    )
    assert f'href="{payload_url}"' in html and '"opportunityId"' not in html  # loaded on demand
    assert "Retry now" not in html
    client.post("/auth/logout")
    login_as(admin)
    # Not authorised in Lever: the row offers the fix, not a retry that cannot succeed.
    html = client.get(_url(plain_integration)).get_data(as_text=True)
    assert "Re-authorise</button>" in html and "Retry now" not in html
    plain_integration.auth_status = "authorised"
    db.session.commit()
    assert "Retry now" in client.get(_url(plain_integration)).get_data(as_text=True)


def test_payload_loads_on_demand_for_the_integration_that_received_it(
    db, client, hr_user, login_as, plain_integration, failed_delivery
):
    login_as(hr_user)
    url = f"/integrations/lever/{plain_integration.id}/deliveries/{failed_delivery.id}/payload"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"event": "candidateHired", "data": {"opportunityId": "opp-42"}}
    other = (
        f"/integrations/lever/{plain_integration.id + 1}/deliveries/{failed_delivery.id}/payload"
    )
    assert client.get(other).status_code == 404
    missing = f"/integrations/lever/{plain_integration.id}/deliveries/999999/payload"
    assert client.get(missing).status_code == 404
    client.post("/auth/logout")
    assert client.get(url).status_code == 302  # signed out: to the login page


def test_retry_now_resets_and_enqueues_the_delivery(
    db, client, admin, login_as, plain_integration, failed_delivery, monkeypatch
):
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append((d, attempt)))
    plain_integration.auth_status = "authorised"
    db.session.commit()
    login_as(admin)
    response = client.post(
        f"/integrations/lever/{plain_integration.id}/deliveries/{failed_delivery.id}/retry"
    )
    assert response.status_code == 302
    assert calls == [(failed_delivery.id, 7)]
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, failed_delivery.id)
    assert delivery.status == "queued" and delivery.last_error is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Retrying now" in page


def test_retry_refuses_a_delivery_that_did_not_fail(
    db, client, admin, login_as, plain_integration, failed_delivery, monkeypatch
):
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append(d))
    failed_delivery.status = "completed"
    db.session.commit()
    login_as(admin)
    client.post(f"/integrations/lever/{plain_integration.id}/deliveries/{failed_delivery.id}/retry")
    assert calls == []
    other = client.post(f"/integrations/lever/999/deliveries/{failed_delivery.id}/retry")
    assert other.status_code == 404


def test_csv_export_is_filtered_and_formula_safe(
    db, client, hr_user, login_as, plain_integration, person
):
    add_log_entry(plain_integration.id, "error", '=HYPERLINK("http://evil")', person_id=person.id)
    add_log_entry(plain_integration.id, "information", "Plain row")
    db.session.commit()
    login_as(hr_user)
    response = client.get(f"/integrations/lever/{plain_integration.id}/log.csv?level=error")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Time", "Time (UTC, ISO 8601)", "Level", "Message"]
    assert len(rows) == 2
    assert rows[1][2] == "Error" and rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert rows[1][4:6] == ["Alison Hendrix", "contact-42"]


def test_log_of_an_unknown_integration_is_404(client, hr_user, login_as):
    login_as(hr_user)
    assert client.get("/integrations/lever/999/log").status_code == 404


def test_export_walks_batches(db, app, plain_integration):
    from lever_cezanne.integration.log_query import LogFilter, rows_for_export

    for n in range(25):
        add_log_entry(plain_integration.id, "information", f"Row {n}")
    db.session.commit()
    ids = [e.id for e in rows_for_export(plain_integration.id, LogFilter(), batch=10)]
    assert len(ids) == 25 and ids == sorted(ids, reverse=True)
    assert db.session.scalars(select(Person)).all() == []
