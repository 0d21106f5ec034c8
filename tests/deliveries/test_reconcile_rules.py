"""Which deliveries the reconciler takes back, and what it does with them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.deliveries import inbox, queue
from lever_cezanne.deliveries.reconciler import reconcile_deliveries
from lever_cezanne.models import LogEntry, WebhookDelivery

LAPSED, LIVE = timedelta(seconds=-1), timedelta(seconds=15)


def _status(db, delivery):
    db.session.expire_all()
    return db.session.get(WebhookDelivery, delivery.id).status


@pytest.mark.parametrize(
    "status,age,lease,picked",
    [
        ("received", timedelta(minutes=3), None, True),
        ("received", timedelta(seconds=5), None, False),  # the dispatcher's, for now
        ("queued", timedelta(minutes=3), LAPSED, True),
        ("queued", timedelta(minutes=3), LIVE, False),
        ("processing", timedelta(seconds=25), LAPSED, True),  # a killed job: lease lapsed
        ("processing", timedelta(minutes=30), LIVE, False),  # a long job still renewing
        ("completed", timedelta(days=1), None, False),
        ("partial", timedelta(days=1), None, False),
        ("failed", timedelta(days=1), None, False),
        ("ignored", timedelta(days=1), None, False),
    ],
)
def test_only_stuck_deliveries_are_requeued(
    db, make_delivery, enqueued, status, age, lease, picked
):
    delivery = make_delivery(status=status, attempts=1, age=age, lease=lease)
    counts = reconcile_deliveries()
    assert counts["requeued"] == int(picked)
    assert enqueued == ([(delivery.id, 2)] if picked else [])
    assert _status(db, delivery) == ("queued" if picked else status)


def test_a_lapsed_lease_is_taken_back_whatever_the_queue_says(db, make_delivery, monkeypatch):
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append(d))
    # RQ may still list the killed job as started, or queued: the lease decides.
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: True)
    delivery = make_delivery(status="processing", attempts=1, lease=LAPSED)
    assert reconcile_deliveries()["requeued"] == 1
    assert calls == [delivery.id]


def test_a_queued_job_still_waiting_in_the_queue_is_left_alone(db, make_delivery, monkeypatch):
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append(d))
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: True)
    delivery = make_delivery(status="queued", lease=LAPSED)
    deadline = delivery.claimed_until
    assert reconcile_deliveries() == {
        "requeued": 0,
        "pending": 1,
        "given_up": 0,
        "unreachable": 0,
    }
    assert calls == []
    # Asked again only after another grace period, not on every run.
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).claimed_until > deadline
    assert reconcile_deliveries()["pending"] == 0


def test_endless_restarts_are_stopped_with_an_error_row(db, make_delivery, enqueued):
    delivery = make_delivery(status="processing", attempts=6, lapses=4, lease=LAPSED)
    assert reconcile_deliveries()["given_up"] == 1
    assert _status(db, delivery) == "failed" and enqueued == []
    [entry] = db.session.scalars(select(LogEntry)).all()
    assert entry.level == "error" and "Retry now" in entry.message
    assert "stopped 5 times without finishing" in entry.message
    assert entry.delivery_id == delivery.id


def test_many_attempts_are_not_deaths_only_lapses_count(db, make_delivery, enqueued):
    """RQ's retries after a busy Lever count attempts, not lapses: such a hire taken back from a
    killed worker is queued again, and the lapse is counted."""
    delivery = make_delivery(status="processing", attempts=12, lapses=0, lease=LAPSED)
    assert reconcile_deliveries()["requeued"] == 1
    assert enqueued == [(delivery.id, 13)]
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).lapses == 1


def test_a_queued_delivery_taken_back_is_no_lapse(db, make_delivery, enqueued, monkeypatch):
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: False)
    delivery = make_delivery(status="queued", attempts=1, lapses=4, lease=LAPSED)
    assert reconcile_deliveries()["requeued"] == 1
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).lapses == 4


def test_two_reconcilers_requeue_a_delivery_once(db, make_delivery, enqueued, monkeypatch):
    delivery = make_delivery(status="received")
    real_requeue = inbox.requeue

    def racing_requeue(row, now):
        # Another reconciler takes the row between our SELECT and our UPDATE.
        real_requeue(row, now)
        return real_requeue(row, now)

    monkeypatch.setattr(inbox, "requeue", racing_requeue)
    reconcile_deliveries()
    assert enqueued == []  # our conditional UPDATE lost, so we did not enqueue a second time
    assert _status(db, delivery) == "queued"


def test_a_job_that_claimed_meanwhile_is_not_requeued(db, make_delivery, enqueued, monkeypatch):
    delivery = make_delivery(status="queued", attempts=1, lease=LAPSED)
    real_stuck = inbox.stuck

    def claimed_after_select(now, limit):
        rows = real_stuck(now, limit)
        assert inbox.claim(delivery.id) is not None  # a slow job starts at last
        return rows

    monkeypatch.setattr(inbox, "stuck", claimed_after_select)
    assert reconcile_deliveries()["requeued"] == 0
    assert enqueued == [] and _status(db, delivery) == "processing"


def test_queue_still_down_leaves_the_delivery_for_next_time(db, make_delivery, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(delivery_id, attempt):
        raise RedisConnectionError("refused")

    monkeypatch.setattr(queue, "enqueue_delivery", down)
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: False)
    delivery = make_delivery(status="received")
    assert reconcile_deliveries()["unreachable"] == 1
    assert _status(db, delivery) == "queued"
