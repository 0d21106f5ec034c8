"""Repeats of one hire, sequential and 20 at once on PostgreSQL: one person, employment, task."""

import json

import pytest
import requests
from sqlalchemy import func, select

from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Employment, LogEntry, Person, Salary, Task, WebhookDelivery
from tests.pipeline.conftest import FULL_OFFER
from tests.pipeline.helpers import THREADS, needs_postgres, together

pytestmark = pytest.mark.committed


def _counts(db, models=(Person, Employment, Task)):
    db.session.expire_all()
    return [db.session.scalar(select(func.count()).select_from(model)) for model in models]


def test_sequential_repeats_create_each_record_once(
    db, integration, add_candidate, send_hire, hired_body, runner
):
    opportunity_id = add_candidate()
    body = hired_body(opportunity_id)
    answers = [send_hire(opportunity_id, body).get_json()["status"] for _ in range(3)]
    for _ in range(3):  # Lever re-sends Candidate Hired with fresh tokens
        send_hire(opportunity_id)
    assert answers == ["accepted", "duplicate", "duplicate"]
    assert runner.wait_idle(20)
    assert _counts(db) == [1, 1, 1]
    statuses = db.session.scalars(select(WebhookDelivery.status)).all()
    assert statuses == ["completed"] * 4


def test_twenty_concurrent_posts_of_one_delivery(
    app, db, integration, add_candidate, hired_body, live_app, runner, monkeypatch
):
    needs_postgres(app)
    enqueued = []
    real_enqueue = queue.enqueue_delivery

    def counting(delivery_id, attempt):
        enqueued.append(delivery_id)
        real_enqueue(delivery_id, attempt)

    monkeypatch.setattr(queue, "enqueue_delivery", counting)
    body = json.dumps(hired_body(add_candidate()))

    def post(_):
        return requests.post(
            live_app.webhook_url,
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        ).json()["status"]

    results, errors = together(THREADS, post)
    assert errors == []
    assert sorted(results) == ["accepted"] + ["duplicate"] * (THREADS - 1)
    assert len(enqueued) == 1
    assert runner.wait_idle(20)
    assert _counts(db) == [1, 1, 1]


def test_twenty_concurrent_deliveries_for_one_hire(
    app, db, integration, add_candidate, hired_body, send_hire, monkeypatch
):
    needs_postgres(app)
    monkeypatch.setattr(queue, "enqueue_delivery", lambda delivery_id, attempt: None)
    opportunity_id = add_candidate()
    for _ in range(THREADS):
        send_hire(opportunity_id)
    ids = db.session.scalars(select(WebhookDelivery.id)).all()
    assert len(ids) == THREADS
    _db.session.remove()

    def work(i):
        with app.app_context():
            try:
                return process_delivery(ids[i])
            finally:
                _db.session.remove()

    results, errors = together(THREADS, work)
    assert errors == []
    assert results == ["completed"] * THREADS
    assert _counts(db) == [1, 1, 1]


def test_two_hundred_concurrent_replays_of_a_ping_write_one_log_row(
    app, db, integration, hired_body, live_app
):
    needs_postgres(app)
    # A captured hire body with `data` emptied: still signed, so it is a ping.
    body = json.dumps({**hired_body("opp-1"), "data": {}})

    def post_ten(_):
        with requests.Session() as session:
            return [
                session.post(
                    live_app.webhook_url,
                    data=body,
                    headers={"Content-Type": "application/json"},
                    timeout=30,
                ).json()["status"]
                for _ in range(10)
            ]

    results, errors = together(THREADS, post_ten)
    assert errors == []
    assert [status for batch in results for status in batch] == ["ping"] * THREADS * 10
    db.session.expire_all()
    messages = db.session.scalars(select(LogEntry.message)).all()
    assert len(messages) == 1 and messages[0].startswith("Test webhook received from Lever")


def test_twenty_concurrent_deliveries_of_a_full_offer_create_the_job_once(
    app, db, integration, organisation, add_candidate, send_hire, monkeypatch
):
    needs_postgres(app)
    monkeypatch.setattr(queue, "enqueue_delivery", lambda delivery_id, attempt: None)
    opportunity_id = add_candidate("Paula Payroll", offer=FULL_OFFER)
    for _ in range(THREADS):
        send_hire(opportunity_id)
    ids = db.session.scalars(select(WebhookDelivery.id)).all()
    _db.session.remove()

    def work(i):
        with app.app_context():
            try:
                return process_delivery(ids[i])
            finally:
                _db.session.remove()

    results, errors = together(THREADS, work)
    assert errors == []
    assert results == ["completed"] * THREADS
    # The manager is a person too: two people, one employment, one salary, one task.
    assert _counts(db, (Person, Employment, Salary, Task)) == [2, 1, 1, 1]
    [employment] = db.session.scalars(select(Employment)).all()
    assert employment.job_title == "Payroll Specialist"
    assert employment.department.name == "Payroll" and employment.location.name == "London"
    assert employment.line_manager.person_code == "P-SAM"
    assert employment.current_salary.label == "42,000.00 GBP per year"
