"""A running catch-up sync holds a lease in the database; a killed one's lapses and is failed."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.deliveries import sync, sync_jobs, sync_lease
from lever_cezanne.extensions import db as _db
from lever_cezanne.models import LogEntry, SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind
from tests.conftest import ON_POSTGRES

STOPPED = "It stopped without finishing: its worker was stopped or killed."


def _run(integration, kind=SyncKind.PERIODIC) -> SyncRun:
    run = sync.create_run(integration, kind, utcnow() - timedelta(hours=1))
    _db.session.commit()
    return run


def _lapse(db, run):
    run.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_queued_run_counts_as_running_until_its_lease_lapses(db, integration):
    run = _run(integration)
    assert run.lease_until > utcnow() + timedelta(minutes=25)  # room to wait in the queue
    assert sync_jobs.running(integration.id).id == run.id
    assert sync.expire_lapsed() == 0 and run.status == "running"
    _lapse(db, run)
    assert sync_jobs.running(integration.id) is None  # a new sync may start at once
    assert sync.expire_lapsed() == 1
    db.session.refresh(run)
    assert run.status == "failed" and run.finished_at is not None
    assert run.message == f"{STOPPED} The next sync covers its window again."
    [row] = db.session.scalars(select(LogEntry)).all()
    assert (row.level, row.message) == ("warning", f"The catch-up sync failed: {run.message}")
    assert sync.expire_lapsed() == 0  # once


def test_a_killed_import_says_to_import_again_and_sync_now_starts_a_new_run(
    db, integration, monkeypatch
):
    old = _run(integration, SyncKind.BACKFILL)
    _lapse(db, old)
    started = []
    monkeypatch.setattr(sync_jobs, "start_soon", lambda app, run_id: started.append(run_id))
    new = sync_jobs.begin(integration, SyncKind.MANUAL, utcnow() - timedelta(hours=1))
    db.session.refresh(old)
    assert old.status == "failed" and old.message.endswith(
        "Import again to finish it: hires already stored are not stored twice."
    )
    assert started == [new.id] and sync_jobs.running(integration.id).id == new.id


def test_the_periodic_sync_fails_a_lapsed_run_and_starts_the_next(db, integration, monkeypatch):
    old = _run(integration)
    _lapse(db, old)
    started = []
    monkeypatch.setattr(sync_jobs, "start_soon", lambda app, run_id: started.append(run_id))
    assert sync_jobs.sync_all_integrations() == 1
    db.session.refresh(old)
    assert old.status == "failed" and len(started) == 1 and started[0] != old.id


def test_a_run_that_renewed_its_lease_is_not_failed(db, integration):
    run = _run(integration)
    _lapse(db, run)
    assert sync_lease.extend(run.id, sync_lease.LEASE)  # its worker came back in time
    assert sync.expire_lapsed() == 0
    db.session.refresh(run)
    assert run.status == "running"


CHILD = textwrap.dedent(
    """
    import os, sys, time
    from datetime import timedelta
    from lever_cezanne import create_app
    from lever_cezanne.deliveries import sync, sync_lease

    sync_lease.LEASE = timedelta(seconds=1)

    class Client:
        @staticmethod
        def for_integration(*args, **kwargs):
            return None

    def list_forever(client, run):  # Lever is slow: the sync is busy, not dead
        while True:
            time.sleep(0.1)

    sync.LeverClient = Client
    sync._list_hires = list_forever
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": os.environ["TEST_DATABASE_URL"],
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": ["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="],
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    with app.app_context():
        sync.run_sync(int(sys.argv[1]))
    """
)


def _lease_of(db, run):
    db.session.expire_all()
    return db.session.get(SyncRun, run.id).lease_until


@pytest.mark.skipif(not ON_POSTGRES, reason="a second process needs PostgreSQL")
@pytest.mark.committed
def test_a_killed_sync_process_stops_renewing_and_is_failed(db, integration):
    run = _run(integration)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(run.id)], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while _lease_of(db, run) > utcnow() + timedelta(minutes=1):  # still the queued lease
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(2.5)  # more than two lease lengths: alive, so renewed
        assert _lease_of(db, run) > utcnow() and sync.expire_lapsed() == 0
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    time.sleep(1.5)  # the last renewal's lease runs out
    assert sync_jobs.running(integration.id) is None
    assert sync.expire_lapsed() == 1
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == "failed"


def test_the_periodic_jobs_mark_a_lapsed_sync_failed_without_waiting_for_the_next_sync(
    db, integration
):
    from lever_cezanne.deliveries import schedule

    [entry] = [e for e in schedule.SCHEDULE if e.path.endswith(":expire_lapsed")]
    assert entry.every <= 60
    run = _run(integration)
    schedule.run(entry.path)
    db.session.refresh(run)
    assert run.status == "running"  # its lease holds: left alone
    _lapse(db, run)
    schedule.run(entry.path)
    db.session.refresh(run)
    assert run.status == "failed"
    assert run.message == f"{STOPPED} The next sync covers its window again."
