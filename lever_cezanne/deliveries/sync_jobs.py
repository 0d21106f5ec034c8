"""Running catch-up syncs: every 15 minutes for each authorised integration, Sync now, backfill.

With Redis a sync is an RQ job on the "lever-sync" queue, which workers read after the hires
queue (live webhooks first), retried with backoff when Lever is busy; without Redis it runs on a
background thread of the web process (the in-process runner), retried the same way.
"""

import logging
import random
from datetime import timedelta

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import select

from lever_cezanne.deliveries import sync
from lever_cezanne.deliveries.queue import SYNC_QUEUE_NAME, rq_queue
from lever_cezanne.deliveries.runner import Job
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_AUTHORISED, SyncKind, SyncStatus

log = logging.getLogger(__name__)
SYNC_QUEUE = SYNC_QUEUE_NAME  # the sync jobs wait behind live hires, with the hires they find
SYNC_JOB = "lever_cezanne.deliveries.worker.run_sync_job"
SYNC_EVERY = 15 * 60
RETRY_INTERVALS = (30, 120, 300)
JOB_TIMEOUT = 1800  # a backfill of many thousand hires


def _intervals() -> list[float]:
    return [round(s * random.uniform(0.8, 1.2), 1) for s in RETRY_INTERVALS]  # noqa: S311


def start_soon(app: Flask, run_id: int) -> None:
    """Run a committed SyncRun in the background."""
    if app.config.get("REDIS_URL"):
        with app.app_context():
            rq_queue(SYNC_QUEUE).enqueue(
                SYNC_JOB,
                run_id,
                job_id=f"sync-{run_id}",
                retry=Retry(max=len(RETRY_INTERVALS), interval=_intervals()),
                job_timeout=JOB_TIMEOUT,
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
            )
        return
    app.extensions["lever_jobs"].submit_job(
        Job(
            key=f"sync-{run_id}",
            run=lambda final_attempt: sync.run_sync(run_id, final_attempt=final_attempt),
            intervals=_intervals,
            retry_on=(sync.RetryLater,),
            what=f"sync run {run_id}",
        )
    )


def running(integration_id: int) -> SyncRun | None:
    """The integration's sync that is running now (one whose lease lapsed, its worker killed,
    is not: sync.expire_lapsed marks it failed)."""
    return db.session.scalar(
        select(SyncRun)
        .where(
            SyncRun.integration_id == integration_id,
            SyncRun.status == SyncStatus.RUNNING,
            SyncRun.lease_until > utcnow(),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def begin(integration: LeverIntegration, kind: SyncKind, since, user=None) -> SyncRun:
    """Create and commit a run, then start it in the background."""
    sync.expire_lapsed(integration.id)  # a sync whose worker died no longer counts as running
    run = sync.create_run(integration, kind, since, user)
    db.session.commit()
    start_soon(current_app._get_current_object(), run.id)
    return run


def due_integrations() -> list[LeverIntegration]:
    """Authorised, enabled (not paused, not deleted) integrations."""
    return list(
        db.session.scalars(
            select(LeverIntegration)
            .where(
                LeverIntegration.deleted_at.is_(None),
                LeverIntegration.paused_at.is_(None),
                LeverIntegration.auth_status == AUTH_AUTHORISED,
            )
            .order_by(LeverIntegration.id)
        )
    )


def _synced_lately(integration_id: int) -> bool:
    """Whether a sync that succeeded (periodic, Sync now or an import) reached to within half the
    interval of now: a worker that starts (each starts the schedule afresh) soon after one skips
    that tick, so periodic syncs stay at least half SYNC_INTERVAL apart however often workers
    restart, and Lever's rate limit is spent on hires."""
    every = int(current_app.config.get("SYNC_INTERVAL", SYNC_EVERY))
    done = sync.last_success(integration_id)
    return done is not None and utcnow() - done.until < timedelta(seconds=every / 2)


def sync_all_integrations() -> int:
    """The periodic entry: start a catch-up sync for every authorised, enabled integration that
    has none running and none lately; return how many were started."""
    started = 0
    sync.expire_lapsed()
    for integration in due_integrations():
        if running(integration.id) is not None or _synced_lately(integration.id):
            continue
        try:
            begin(integration, SyncKind.PERIODIC, sync.catch_up_since(integration))
        except (RedisError, OSError):
            db.session.rollback()
            log.warning("sync of integration %s could not be queued", integration.id)
            continue
        started += 1
    return started
