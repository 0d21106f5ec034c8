"""Periodic work, declared as data.

Beside `flask worker`, rq 3's cron scheduler enqueues each entry on its interval into the
"lever-periodic" queue, which workers read before the hires queue; the job then runs like any
other, in a worker. Without Redis, the in-process runner runs the same entries on their intervals.
One failing entry never stops the others.
"""

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from flask import Flask
from redis import Redis
from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)
PERIODIC_QUEUE = "lever-periodic"
PERIODIC_JOB = "lever_cezanne.deliveries.worker.run_periodic"
PR_SET_PDEATHSIG = 1
RECONCILE_EVERY = 10


@dataclass(frozen=True)
class Periodic:
    """Call `path` ("module:function", in an app context) every `every` seconds; the app
    setting named `setting`, when set, overrides the interval (0 turns the entry off)."""

    path: str
    every: int
    setting: str | None = None


SCHEDULE = (
    # Take back deliveries whose lease lapsed (a killed worker) or that were never queued.
    Periodic(
        "lever_cezanne.deliveries.reconciler:reconcile_deliveries",
        every=RECONCILE_EVERY,
        setting="RECONCILE_INTERVAL",
    ),
    # A catch-up sync whose worker died (its lease lapsed) is marked failed, with its Warning row,
    # so the Details page stops showing it as running without waiting for the next sync.
    Periodic("lever_cezanne.deliveries.sync:expire_lapsed", every=30),
    # Re-authorisation alerts and the hourly error digest.
    Periodic("lever_cezanne.mail.alerts:check_alerts", every=60),
    # Approved hires whose Documents and note waited for a Resume whose start was lost.
    Periodic("lever_cezanne.deliveries.after_approval:start_waiting", every=60),
    # Mail whose send job was lost is queued again.
    Periodic("lever_cezanne.mail.sending:requeue_stalled_mail", every=60),
    # The catch-up sync of every authorised, enabled integration (hires whose webhook was lost).
    Periodic(
        "lever_cezanne.deliveries.sync_jobs:sync_all_integrations",
        every=15 * 60,
        setting="SYNC_INTERVAL",
    ),
)


def load(path: str) -> Callable[[], object]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def run(path: str) -> None:
    """Run one entry inside the caller's app context; log and roll back when it fails."""
    from lever_cezanne.extensions import db

    try:
        load(path)()
    except Exception:
        db.session.rollback()
        log.exception("periodic job %s failed; it runs again next time", path)


def run_all() -> None:
    """Run every entry once, in order, inside the caller's app context."""
    for entry in SCHEDULE:
        run(entry.path)


def intervals(app: Flask) -> list[tuple[Periodic, int]]:
    """The schedule with the app's settings applied, without the entries turned off."""
    found = []
    for entry in SCHEDULE:
        every = int(app.config.get(entry.setting, entry.every) if entry.setting else entry.every)
        if every > 0:
            found.append((entry, every))
    return found


class _JsonCronJob(CronJob):
    """A cron job enqueued with the JSON serializer, as every job of this app (never pickle)."""

    def enqueue(self, connection: Redis) -> Job:
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        return queue.enqueue(self.func_name, args=self.args, kwargs=self.kwargs, **self.job_options)


class _Scheduler(CronScheduler):
    def add(self, entry: Periodic, every: int) -> None:
        # A minute-long result is enough: the next run comes within seconds.
        job = _JsonCronJob(
            PERIODIC_QUEUE,
            func_name=PERIODIC_JOB,
            args=(entry.path,),
            interval=every,
            result_ttl=60,
        )
        self.get_jobs().append(job)


def die_with_parent() -> None:
    """Ask Linux to stop us (SIGTERM, a clean stop for the scheduler) when the worker dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _run_cron(url: str, entries: list[tuple[Periodic, int]], parent_pid: int) -> None:
    die_with_parent()
    if os.getppid() != parent_pid:
        return  # the worker died before we could ask
    scheduler = _Scheduler(Redis.from_url(url), name=f"lever-cron-{parent_pid}")
    for entry, every in entries:
        scheduler.add(entry, every)
    scheduler.start()


def start_cron(app: Flask) -> multiprocessing.Process | None:
    """Start rq's cron scheduler in a process of its own beside the worker."""
    entries = intervals(app)
    if not entries:
        return None
    process = multiprocessing.get_context("fork").Process(
        target=_run_cron, args=(app.config["REDIS_URL"], entries, os.getpid()), name="lever-cron"
    )
    process.daemon = True
    process.start()
    return process
