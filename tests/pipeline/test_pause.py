"""Pause holds every hire (stored, answered 200, Lever never called); Resume processes them all."""

import pytest
from sqlalchemy import select

from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.models import Person, WebhookDelivery
from lever_cezanne.models.integration import DeliveryStatus


def _deliveries(db):
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def _press(client, integration, button):
    response = client.post(f"/integrations/lever/{integration.id}/{button}")
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.committed
def test_pause_holds_hires_and_resume_processes_every_one(
    db, client, admin, login_as, integration, lever_server, add_candidate, send_hire, runner
):
    login_as(admin)
    page = _press(client, integration, "pause")
    assert "Paused" in page and "0 webhooks waiting" in page and "Resume</button>" in page
    calls_before = lever_server.store.counters["api_calls"]

    opportunities = [add_candidate(f"Held Person{n}") for n in range(3)]
    answers = [send_hire(opportunity) for opportunity in opportunities]
    assert [(a.status_code, a.get_json()["status"]) for a in answers] == [(200, "held")] * 3
    assert runner.wait_idle(10)
    assert [d.status for d in _deliveries(db)] == [DeliveryStatus.HELD] * 3
    assert db.session.scalars(select(Person)).all() == []
    assert lever_server.store.counters["api_calls"] == calls_before  # Lever never called
    page = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert 'data-held="3">3 webhooks waiting' in page
    assert 'data-state="paused">Paused</span>' in page

    page = _press(client, integration, "resume")
    assert "Resumed: processing 3 held webhooks, in order." in page
    assert runner.wait_idle(30)
    assert [d.status for d in _deliveries(db)] == ["completed"] * 3
    names = sorted(p.full_name for p in db.session.scalars(select(Person)))
    assert names == ["Held Person0", "Held Person1", "Held Person2"]


def test_resume_enqueues_held_hires_in_the_order_lever_sent_them(
    db, client, admin, login_as, integration, send_hire, hired_body, monkeypatch
):
    login_as(admin)
    _press(client, integration, "pause")
    for triggered_at in (1700000000300, 1700000000100, 1700000000200):
        send_hire("opp", hired_body(f"opp-{triggered_at}", triggered_at=triggered_at))
    by_time = {d.triggered_at: d.id for d in _deliveries(db)}
    enqueued = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: enqueued.append(d))
    _press(client, integration, "resume")
    assert enqueued == [by_time[t] for t in sorted(by_time)]


def test_a_hire_queued_before_the_pause_is_held_without_calling_lever(
    db, admin, integration, lever_server, send_hire, add_candidate, monkeypatch
):
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: None)
    send_hire(add_candidate())
    [delivery] = _deliveries(db)
    assert delivery.status != DeliveryStatus.HELD
    integration.paused_at, integration.paused_by = delivery.received_at, admin
    db.session.commit()
    calls_before = lever_server.store.counters["api_calls"]

    assert process_delivery(delivery.id) == DeliveryStatus.HELD
    assert lever_server.store.counters["api_calls"] == calls_before
    assert _deliveries(db)[0].completed_at is None


def test_test_connection_is_refused_while_paused(
    db, client, admin, login_as, integration, lever_server
):
    login_as(admin)
    _press(client, integration, "pause")
    calls_before = lever_server.store.counters["api_calls"]
    page = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert "Test connection</button>" not in page
    page = _press(client, integration, "test")
    assert "paused, so Lever is not called" in page
    assert lever_server.store.counters["api_calls"] == calls_before
