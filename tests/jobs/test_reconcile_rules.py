"""Which deliveries the reconciler picks up, and what it does with them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.jobs import queue, reconcile
from lever_cezanne.jobs.reconcile import reconcile_deliveries
from lever_cezanne.models import LogEntry, WebhookDelivery


def _status(db, delivery):
    db.session.expire_all()
    return db.session.get(WebhookDelivery, delivery.id).status


@pytest.mark.parametrize(
    "status,age,picked",
    [
        ("received", timedelta(minutes=3), True),
        ("queued", timedelta(minutes=3), True),
        ("received", timedelta(seconds=30), False),
        ("processing", timedelta(minutes=3), False),  # may still be running
        ("processing", timedelta(minutes=5), True),  # past the job timeout
        ("completed", timedelta(days=1), False),
        ("partial", timedelta(days=1), False),
        ("failed", timedelta(days=1), False),
        ("ignored", timedelta(days=1), False),
    ],
)
def test_only_stuck_deliveries_are_requeued(db, make_delivery, enqueued, status, age, picked):
    delivery = make_delivery(status=status, attempts=1, age=age)
    counts = reconcile_deliveries()
    assert counts["requeued"] == int(picked)
    assert enqueued == ([(delivery.id, 2)] if picked else [])
    assert _status(db, delivery) == ("queued" if picked else status)


def test_a_job_still_waiting_in_the_queue_is_left_alone(db, make_delivery, monkeypatch):
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append(d))
    monkeypatch.setattr(queue, "delivery_job_pending", lambda d, attempts: True)
    make_delivery(status="queued")
    assert reconcile_deliveries() == {
        "requeued": 0,
        "pending": 1,
        "given_up": 0,
        "unreachable": 0,
    }
    assert calls == []


def test_endless_restarts_are_stopped_with_an_error_row(db, make_delivery, enqueued):
    delivery = make_delivery(status="processing", attempts=10, age=timedelta(minutes=10))
    assert reconcile_deliveries()["given_up"] == 1
    assert _status(db, delivery) == "failed" and enqueued == []
    [entry] = db.session.scalars(select(LogEntry)).all()
    assert entry.level == "error" and "Retry now" in entry.message
    assert entry.delivery_id == delivery.id


def test_two_reconcilers_requeue_a_delivery_once(db, make_delivery, enqueued, monkeypatch):
    delivery = make_delivery(status="received")
    real_take = reconcile._take

    def racing_take(row, now, status, **values):
        # Another reconciler takes the row between our SELECT and our UPDATE.
        real_take(row, now, status, **values)
        return real_take(row, now, status, **values)

    monkeypatch.setattr(reconcile, "_take", racing_take)
    reconcile_deliveries()
    assert enqueued == []  # our conditional UPDATE lost, so we did not enqueue a second time
    monkeypatch.setattr(reconcile, "_take", real_take)
    assert _status(db, delivery) == "queued"


def test_queue_still_down_leaves_the_delivery_for_next_time(db, make_delivery, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(delivery_id, attempt):
        raise RedisConnectionError("refused")

    monkeypatch.setattr(queue, "enqueue_delivery", down)
    monkeypatch.setattr(queue, "delivery_job_pending", lambda d, attempts: False)
    delivery = make_delivery(status="received")
    assert reconcile_deliveries()["unreachable"] == 1
    assert _status(db, delivery) == "queued"
