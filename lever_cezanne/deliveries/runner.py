"""In-process background execution for the embedded default (no Redis): a small thread pool.

Every job without Redis runs here (a delivery, an approved hire's documents and note, a
catch-up sync): retried with its backoff, counted while it waits, runs or waits for a retry,
and stopped with the app.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.deliveries import schedule
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
WORKERS = 4


@dataclass(frozen=True)
class Job:
    """One background job: `run(final_attempt)` raises one of `retry_on` to be run again after
    the next of `intervals()` (or the exception's `retry_after`, when longer)."""

    key: Hashable  # what the runner counts it under
    run: Callable[[bool], None]
    intervals: Callable[[], Sequence[float]]
    retry_on: tuple[type[Exception], ...]
    what: str  # names it in log lines: "delivery 42"
    context: Callable[[], AbstractContextManager] = field(default=nullcontext)


def _delivery_job(delivery_id: int) -> Job:
    from lever_cezanne.deliveries.process import RetryLater, process_delivery
    from lever_cezanne.deliveries.queue import retry_intervals

    return Job(
        key=delivery_id,
        run=lambda final_attempt: process_delivery(delivery_id, final_attempt=final_attempt),
        intervals=retry_intervals,
        retry_on=(RetryLater,),
        what=f"delivery {delivery_id}",
        context=lambda: delivery_context(delivery_id),
    )


class InProcessRunner:
    """Run jobs on background threads, retrying transient failures with backoff."""

    def __init__(self, app, workers: int = WORKERS):
        self.app = app
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending: dict[Hashable, int] = {}  # job key -> jobs waiting, running or timed
        self._timers: set[threading.Timer] = set()
        self._reconciler: threading.Thread | None = None
        self._stopping = threading.Event()

    def submit(self, delivery_id: int, retry_index: int = 0) -> None:
        """Run the delivery's job soon on a background thread."""
        self.submit_job(_delivery_job(delivery_id), retry_index)

    def submit_job(self, job: Job, retry_index: int = 0) -> None:
        """Run a job soon on a background thread."""
        with self._lock:
            if self._stopping.is_set():
                raise RuntimeError("the in-process job runner has been shut down")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, "lever-job")
            self._pending[job.key] = self._pending.get(job.key, 0) + 1
            self._executor.submit(self._run, job, retry_index)

    def is_pending(self, delivery_id: int) -> bool:
        with self._lock:
            return delivery_id in self._pending

    def _run(self, job: Job, retry_index: int) -> None:
        intervals = job.intervals()
        try:
            with self.app.app_context(), job.context():
                try:
                    job.run(retry_index >= len(intervals))
                finally:
                    db.session.remove()
        except job.retry_on as exc:
            delay = max(intervals[retry_index], getattr(exc, "retry_after", 0) or 0)
            self._retry(job, retry_index, delay)
        except Exception:
            with job.context():
                log.exception("%s: job failed unexpectedly", job.what)
        self._done(job.key)

    def _retry(self, job: Job, retry_index: int, delay: float) -> None:
        """Resubmit after a delay, counted as pending meanwhile."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._pending[job.key] = self._pending.get(job.key, 0) + 1

        def fire():
            with self._lock:
                self._timers.discard(timer)
            # Shut down meanwhile: the reconciler picks a delivery up after a restart.
            with contextlib.suppress(RuntimeError):
                self.submit_job(job, retry_index + 1)
            self._done(job.key)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def _done(self, key: Hashable) -> None:
        with self._lock:
            left = self._pending.get(key, 1) - 1
            if left <= 0:
                self._pending.pop(key, None)
            else:
                self._pending[key] = left

    def start_reconciler(self, interval: float | None = None) -> None:
        """Run the periodic jobs (the reconciler first) on their schedule on a thread (once);
        `interval` replaces every entry's own, for tests."""
        with self._lock:
            if self._reconciler is not None or self._stopping.is_set():
                return
            entries = [(e.path, interval or every) for e, every in schedule.intervals(self.app)]
            self._reconciler = threading.Thread(
                target=self._periodic_loop, args=(entries,), name="lever-periodic", daemon=True
            )
            self._reconciler.start()

    def _periodic_loop(self, entries: list[tuple[str, float]]) -> None:
        if not entries:
            return
        due = {path: time.monotonic() + every for path, every in entries}
        while not self._stopping.wait(max(0, min(due.values()) - time.monotonic())):
            for path, every in entries:
                if due[path] > time.monotonic():
                    continue
                due[path] = time.monotonic() + every
                with self.app.app_context():
                    schedule.run(path)
                    db.session.remove()

    def shutdown(self, wait: bool = True) -> None:
        """Stop timers, the reconciler and the pool."""
        self._stopping.set()
        with self._lock:
            timers, self._timers = list(self._timers), set()
            executor = self._executor
        for timer in timers:
            timer.cancel()
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)
        if self._reconciler is not None:
            self._reconciler.join(timeout=5)
