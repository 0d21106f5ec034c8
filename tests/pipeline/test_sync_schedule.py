"""The periodic catch-up sync: declared as data, scheduled by rq's cron, run by a real worker."""

import os
import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from lever_cezanne.deliveries import schedule, sync, sync_jobs
from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Employment, LogEntry, Person, SyncRun, Task
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind
from tests.pipeline.helpers import run_worker

REDIS_URL = os.environ.get("REDIS_URL")
PATH = "lever_cezanne.deliveries.sync_jobs:sync_all_integrations"


def _lost_hire(lever_server, name):
    email = f"{name.lower().replace(' ', '.')}@example.com"
    opportunity_id = lever_server.store.add_candidate({"name": name, "emails": [email]})
    lever_server.store.hire_without_webhook(opportunity_id)
    return opportunity_id


def _wait_for_runs(db, count, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        runs = db.session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
        if len(runs) >= count and all(run.status != "running" for run in runs):
            return runs
        time.sleep(0.1)
    raise AssertionError("the sync runs did not finish")


def test_the_sync_is_declared_every_fifteen_minutes(app):
    [entry] = [entry for entry in schedule.SCHEDULE if entry.path == PATH]
    assert entry.every == 15 * 60
    assert (entry, 900) in schedule.intervals(app)
    app.config["SYNC_INTERVAL"] = 0  # an operator may turn it off
    assert entry not in [found for found, _ in schedule.intervals(app)]


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: rq's cron scheduler needs Redis")
def test_rq_cron_enqueues_the_sync(app):
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    try:
        scheduler = schedule._Scheduler(connection, name="test-sync-cron")
        for entry, every in schedule.intervals(app):
            scheduler.add(entry, every)
        [cron_job] = [job for job in scheduler.get_jobs() if job.args == (PATH,)]
        assert cron_job.interval == 900 and cron_job.queue_name == schedule.PERIODIC_QUEUE
        scheduler.enqueue_jobs()
        queue = Queue(schedule.PERIODIC_QUEUE, connection=connection, serializer=JSONSerializer)
        assert [PATH] in [job.args for job in queue.get_jobs()]
        assert not cron_job.should_run()  # next in 15 minutes, not at once
    finally:
        connection.flushdb()
        connection.close()


@pytest.mark.committed
def test_periodic_sync_covers_the_window_since_the_last_success(
    db, integration, lever_server, runner
):
    integration.authorised_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    _lost_hire(lever_server, "Rachel Duncan")
    assert sync_jobs.sync_all_integrations() == 1
    [first] = _wait_for_runs(db, 1)
    assert (first.kind, first.status, first.stored) == ("periodic", "succeeded", 1)
    assert first.since == integration.authorised_at - sync.OVERLAP
    assert sync_jobs.sync_all_integrations() == 0  # it has only just synced
    first.until -= timedelta(seconds=sync_jobs.SYNC_EVERY / 2)  # half the interval later
    db.session.commit()
    assert sync_jobs.sync_all_integrations() == 1
    second = _wait_for_runs(db, 2)[1]
    assert second.since == first.until - sync.OVERLAP and second.skipped == 1
    assert runner.wait_idle(30)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_worker_started_soon_after_a_sync_does_not_start_another(
    db, integration, app, monkeypatch
):
    # Each worker starts the schedule afresh: a restart must not sync again at once.
    monkeypatch.setattr(sync_jobs, "start_soon", lambda app, run_id: None)
    done = sync.create_run(integration, SyncKind.PERIODIC, utcnow() - timedelta(hours=1))
    done.status = "succeeded"
    db.session.commit()
    assert sync_jobs.sync_all_integrations() == 0
    app.config["SYNC_INTERVAL"] = 60  # the operator's interval, not the default, decides
    done.until -= timedelta(seconds=31)
    db.session.commit()
    assert sync_jobs.sync_all_integrations() == 1


def test_periodic_sync_skips_paused_unauthorised_and_busy_integrations(
    db, integration, lever_server, make_integration, new_hire_admin
):
    integration.paused_at = utcnow()
    db.session.commit()
    assert sync_jobs.sync_all_integrations() == 0
    integration.paused_at = None
    sync.create_run(integration, SyncKind.MANUAL, utcnow() - timedelta(hours=1))  # running
    db.session.commit()
    assert sync_jobs.sync_all_integrations() == 0
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 1


@pytest.mark.usefixtures("redis_queue")
@pytest.mark.committed
def test_a_real_worker_runs_the_periodic_sync_and_its_hires(
    app, db, database_url, integration, lever_server
):
    if database_url.startswith("sqlite"):
        pytest.skip("a worker process needs the shared PostgreSQL database")
    for number in range(5):
        _lost_hire(lever_server, f"Worker Lost Hire {number}")
    connection = Redis.from_url(REDIS_URL)
    Queue(schedule.PERIODIC_QUEUE, connection=connection, serializer=JSONSerializer).enqueue(
        schedule.PERIODIC_JOB, PATH
    )
    db.session.commit()
    _db.session.remove()
    first = run_worker(app, lever_server, database_url)  # periodic job -> sync job -> stored
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_worker(app, lever_server, database_url)  # dispatched and processed
    assert second.returncode == 0, second.stdout + second.stderr
    [run] = db.session.scalars(select(SyncRun)).all()
    assert (run.kind, run.status, run.stored) == ("periodic", "succeeded", 5)
    counts = [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Person, Employment, Task)
    ]
    assert counts == [5, 5, 5]
    found = db.session.scalars(
        select(LogEntry.message).where(LogEntry.message.contains("catch-up"))
    )
    assert len(found.all()) == 5
    connection.close()
