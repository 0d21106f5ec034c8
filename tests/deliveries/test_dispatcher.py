"""The dispatcher moves received deliveries into RQ in batches, woken by PostgreSQL's NOTIFY."""

import os
import time

import pytest
from sqlalchemy import select

from lever_cezanne import deliveries
from lever_cezanne.deliveries import dispatcher, queue
from lever_cezanne.models import WebhookDelivery
from tests.ports import free_port

REDIS_URL = os.environ.get("REDIS_URL")


def _statuses(db):
    db.session.expire_all()
    return dict(db.session.execute(select(WebhookDelivery.id, WebhookDelivery.status)).all())


def test_received_deliveries_are_queued_once_in_one_batch(redis_app, db, make_delivery):
    received = [make_delivery(status="received").id for _ in range(3)]
    done = make_delivery(status="completed").id
    assert dispatcher.dispatch_all() == 3
    assert sorted(queue.rq_queue().job_ids) == sorted(f"delivery-{i}-1" for i in received)
    statuses = _statuses(db)
    assert [statuses[i] for i in received] == ["queued"] * 3 and statuses[done] == "completed"
    assert dispatcher.dispatch_all() == 0  # nothing taken twice
    assert len(queue.rq_queue()) == 3


def test_queue_down_leaves_them_received_for_the_next_wake_up(redis_app, db, make_delivery):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    working = redis_app.extensions.pop("lever_redis")
    redis_app.config["REDIS_URL"] = closed
    try:
        delivery = make_delivery(status="received")
        assert dispatcher.dispatch_all() == 0
        assert _statuses(db)[delivery.id] == "received"
    finally:
        redis_app.extensions.pop("lever_redis").close()
        redis_app.extensions["lever_redis"] = working
        redis_app.config["REDIS_URL"] = REDIS_URL
    assert dispatcher.dispatch_all() == 1


@pytest.mark.committed
def test_an_insert_wakes_the_dispatcher(redis_app, db, integration, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        print("skipping: NOTIFY needs PostgreSQL (set TEST_DATABASE_URL)")
        pytest.skip("NOTIFY needs PostgreSQL")
    monkeypatch.setattr(dispatcher, "IDLE_WAIT", 60.0)  # only a notification can wake it
    mover = dispatcher.Dispatcher(redis_app).start()
    try:
        assert mover.listening.wait(15)
        delivery_id = deliveries.store(
            integration.id,
            event="candidateHired",
            token_hash="a" * 64,
            signature_hash="b" * 64,
            opportunity_id="opp-1",
            triggered_at=1,
            payload="{}",
        )
        db.session.commit()
        deadline = time.monotonic() + 15
        while _statuses(db)[delivery_id] != "queued":  # enqueued, then committed
            assert time.monotonic() < deadline, "the insert did not wake the dispatcher"
            db.session.commit()
            time.sleep(0.05)
    finally:
        started = time.monotonic()
        mover.stop()
    assert not mover._thread.is_alive() and time.monotonic() - started < 2  # woken, not timed out
    assert queue.rq_queue().job_ids == [f"delivery-{delivery_id}-1"]


def test_sync_finds_wait_in_their_own_queue_behind_live_hires(redis_app, db, make_delivery):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from lever_cezanne.redis_client import redis_connection

    found = make_delivery(status="received")
    found.source = "sync"
    db.session.commit()
    live = make_delivery(status="received")  # a webhook stored after the sync's find
    assert dispatcher.dispatch_all() == 2
    hires, syncs = queue.rq_queue(), queue.rq_queue(queue.SYNC_QUEUE_NAME)
    assert hires.job_ids == [f"delivery-{live.id}-1"]
    assert syncs.job_ids == [f"delivery-{found.id}-1"]
    # A worker reads the hires queue first: the live hire goes before the older sync find.
    worker = SimpleWorker([hires, syncs], connection=redis_connection(), serializer=JSONSerializer)
    job, picked = worker.dequeue_job_and_maintain_ttl(timeout=1)
    assert (job.id, picked.name) == (f"delivery-{live.id}-1", "lever")
