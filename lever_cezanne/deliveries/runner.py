"""In-process background execution for the embedded default (no Redis): a small thread pool."""

import contextlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.deliveries import schedule
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
WORKERS = 4


class InProcessRunner:
    """Run process_delivery on background threads, retrying transient failures with backoff."""

    def __init__(self, app, workers: int = WORKERS):
        self.app = app
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending: dict[int, int] = {}  # delivery id -> jobs waiting, running or timed
        self._timers: set[threading.Timer] = set()
        self._reconciler: threading.Thread | None = None
        self._stopping = threading.Event()

    def submit(self, delivery_id: int, retry_index: int = 0) -> None:
        """Run the delivery's job soon on a background thread."""
        with self._lock:
            if self._stopping.is_set():
                raise RuntimeError("the in-process job runner has been shut down")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, "lever-job")
            self._pending[delivery_id] = self._pending.get(delivery_id, 0) + 1
            self._executor.submit(self._run, delivery_id, retry_index)

    def is_pending(self, delivery_id: int) -> bool:
        with self._lock:
            return delivery_id in self._pending

    def _run(self, delivery_id: int, retry_index: int) -> None:
        from lever_cezanne.deliveries.process import RetryLater, process_delivery
        from lever_cezanne.deliveries.queue import retry_intervals

        intervals = retry_intervals()
        try:
            with self.app.app_context(), delivery_context(delivery_id):
                try:
                    process_delivery(delivery_id, final_attempt=retry_index >= len(intervals))
                finally:
                    db.session.remove()
        except RetryLater as exc:
            self._retry(delivery_id, retry_index, max(intervals[retry_index], exc.retry_after))
        except Exception:
            with delivery_context(delivery_id):
                log.exception("delivery %s: job failed unexpectedly", delivery_id)
        self._done(delivery_id)

    def _retry(self, delivery_id: int, retry_index: int, delay: float) -> None:
        """Resubmit after a delay, counted as pending meanwhile."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._pending[delivery_id] = self._pending.get(delivery_id, 0) + 1

        def fire():
            with self._lock:
                self._timers.discard(timer)
            # Shut down meanwhile: the reconciler picks the delivery up after a restart.
            with contextlib.suppress(RuntimeError):
                self.submit(delivery_id, retry_index + 1)
            self._done(delivery_id)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def _done(self, delivery_id: int) -> None:
        with self._lock:
            left = self._pending.get(delivery_id, 1) - 1
            if left <= 0:
                self._pending.pop(delivery_id, None)
            else:
                self._pending[delivery_id] = left
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 30) -> bool:
        """Wait until no job is waiting or running; tell whether that happened in time."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)

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
