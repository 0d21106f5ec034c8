"""The inbox's state changes: claim under a lease, renew, finish, postpone, retry."""

import threading
from datetime import timedelta

import pytest

from lever_cezanne.deliveries import inbox, lease
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DeliveryStatus


def _fresh(db, delivery):
    db.session.expire_all()
    return db.session.get(WebhookDelivery, delivery.id)


def test_statuses_are_a_str_enum():
    assert DeliveryStatus.COMPLETED == "completed"
    assert {s.value for s in DeliveryStatus} == {
        "received", "queued", "processing", "completed", "partial", "failed", "ignored", "held"
    }  # fmt: skip


def test_claim_takes_a_lease_and_counts_the_attempt(db, make_delivery):
    delivery = make_delivery(status="queued", attempts=0)
    claimed = inbox.claim(delivery.id)
    assert claimed.status == "processing" and claimed.attempts == 1
    assert utcnow() < claimed.claimed_until <= utcnow() + inbox.LEASE


def test_claim_returns_the_sessions_delivery_refreshed_or_a_loaded_one(
    db, make_delivery, statements
):
    delivery = make_delivery(status="queued", attempts=0)
    assert inbox.claim(delivery.id) is delivery  # the session's own, refreshed by the claim:
    sent = statements
    sent.clear()
    assert (delivery.status, delivery.attempts) == ("processing", 1)
    assert sent == []  # read without a query, although the claim's commit expired it
    db.session.execute(
        WebhookDelivery.__table__.update().values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    delivery_id, opportunity_id = delivery.id, delivery.opportunity_id
    db.session.expunge_all()  # a job's new session

    claimed = inbox.claim(delivery_id)
    sent.clear()
    assert claimed is not delivery and claimed in db.session
    assert (claimed.status, claimed.attempts, claimed.opportunity_id) == (
        "processing", 2, opportunity_id
    )  # fmt: skip
    assert db.session.get(WebhookDelivery, delivery_id) is claimed
    assert sent == []  # read as loaded


def test_a_held_delivery_is_not_claimed_twice_until_its_lease_lapses(db, make_delivery):
    delivery = make_delivery(status="queued")
    assert inbox.claim(delivery.id) is not None
    assert inbox.claim(delivery.id) is None  # a duplicate job while the first one runs
    db.session.execute(
        WebhookDelivery.__table__.update().values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    again = inbox.claim(delivery.id)  # the first job died: its lease lapsed
    assert again is not None and again.attempts == 2


def test_finished_deliveries_are_never_claimed(db, make_delivery):
    for status in ("completed", "partial", "failed", "ignored"):
        assert inbox.claim(make_delivery(status=status).id) is None


def test_finish_releases_the_lease(db, make_delivery):
    claimed = inbox.claim(make_delivery(status="queued").id)
    inbox.finish(claimed, DeliveryStatus.COMPLETED)
    fresh = _fresh(db, claimed)
    assert fresh.status == "completed" and fresh.claimed_until is None
    assert fresh.completed_at is not None
    assert not inbox.renew(claimed.id, 1)  # nothing left to hold


def test_postpone_gives_the_delivery_back_with_a_deadline(db, make_delivery):
    claimed = inbox.claim(make_delivery(status="queued").id)
    inbox.postpone(claimed, "Lever is busy")
    fresh = _fresh(db, claimed)
    assert fresh.status == "queued" and fresh.last_error == "Lever is busy"
    assert fresh.claimed_until > utcnow() + inbox.QUEUED_GRACE - timedelta(seconds=5)


def _taken_over_by_a_later_attempt(db, delivery, status="processing") -> None:
    """What a second job does once the first one's lease lapsed: claim the delivery (a later
    attempt, a new lease), then perhaps end it. Written past this session's objects, as another
    process would."""
    db.session.execute(
        WebhookDelivery.__table__.update()
        .where(WebhookDelivery.id == delivery.id)
        .values(
            attempts=WebhookDelivery.attempts + 1,
            status=status,
            claimed_until=utcnow() + inbox.LEASE if status == "processing" else None,
        )
    )
    db.session.commit()


def test_a_run_taken_over_by_a_later_attempt_cannot_fail_the_delivery(db, make_delivery, caplog):
    first = inbox.claim(make_delivery(status="queued").id)
    _taken_over_by_a_later_attempt(db, first, status="completed")
    assert inbox.fail(first, "Lever is having problems") == "completed"
    fresh = _fresh(db, first)
    assert fresh.status == "completed" and fresh.last_error is None
    assert not db.session.query(LogEntry).filter_by(delivery_id=first.id).count()  # no Error row
    assert "attempt 1 outlived its lease and attempt 2 took the delivery over" in caplog.text


def test_a_run_taken_over_by_a_later_attempt_cannot_end_or_renew_its_hold(db, make_delivery):
    first = inbox.claim(make_delivery(status="queued").id)
    _taken_over_by_a_later_attempt(db, first)
    held_until = _fresh(db, first).claimed_until
    for end in (
        lambda: inbox.finish(first, DeliveryStatus.COMPLETED),
        lambda: inbox.postpone(first, "Lever is busy"),
        lambda: inbox.hold(first),
    ):
        assert end() == "processing"
    assert not inbox.renew(first.id, 1)
    fresh = _fresh(db, first)
    assert (fresh.status, fresh.attempts, fresh.claimed_until) == ("processing", 2, held_until)
    assert inbox.renew(first.id, 2)  # the later attempt still holds it


def test_retry_only_reopens_failed_or_partial(db, make_delivery):
    assert not inbox.retry(make_delivery(status="completed"))
    failed = make_delivery(status="failed", lapses=5)
    failed.last_error = "boom"
    assert inbox.retry(failed)
    fresh = _fresh(db, failed)
    assert fresh.status == "received" and fresh.last_error is None
    assert fresh.lapses == 0  # a fresh start: its runs may die as often as a new hire's


def test_retry_all_failed_starts_them_afresh(db, make_delivery):
    failed = make_delivery(status="failed", lapses=5)
    inbox.reopen_failed([failed.id])
    db.session.commit()
    fresh = _fresh(db, failed)
    assert (fresh.status, fresh.lapses) == ("received", 0)


@pytest.mark.committed
def test_the_lease_is_renewed_while_the_job_runs(app, db, make_delivery, monkeypatch):
    monkeypatch.setattr(inbox, "LEASE", timedelta(seconds=0.4))
    claimed = inbox.claim(make_delivery(status="queued").id)
    first = claimed.claimed_until
    db.session.commit()
    with lease.held(claimed.id, claimed.attempts):
        threading.Event().wait(0.5)  # past the first lease: only renewals keep it
        renewed = _fresh(db, claimed).claimed_until
        db.session.commit()
    assert renewed > first and renewed > utcnow()
