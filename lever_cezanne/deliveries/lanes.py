"""More than one job at a time in one `flask worker` process: extra RQ workers on threads.

A hire spends a good part of its time waiting for Lever and for PostgreSQL; while one thread
waits, another works. Each lane is a whole RQ SimpleWorker of its own (its own name, heartbeat
and started-job registry), so the guarantees are those of several workers, which the app already
relies on: a job claims its delivery under a lease in the database, every step is idempotent and
unique keys hold each record once, Lever's limit is the bucket shared in Redis, and every lane
takes live hires before catch-up syncs. A killed process takes all its lanes with it; their
leases lapse and the reconciler takes their deliveries back.

The main thread's worker handles the signals and runs the scheduler; on its way out it asks the
lanes to stop, and each finishes the job it is running first, for up to STOP_WAIT seconds
(inside the 30 s a platform gives after SIGTERM): a job still running then ends with the process,
and its lease brings it back. A lane's job timeout is a timer (SIGALRM reaches the main thread
only). rq's loop quits on any error outside a job (Redis gone while it records one): a lane then
starts a new RQ worker after RESTART_WAIT seconds.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable

from flask import Flask
from rq.timeouts import TimerDeathPenalty

from lever_cezanne.deliveries.lean_worker import LeanWorker

log = logging.getLogger(__name__)

# A lane's worker_ttl: an idle lane waits for a job at most ttl - 15 = 2 seconds at a time, so it
# notices a stop request within that.
LANE_TTL = 17
STOP_WAIT = 25.0
RESTART_WAIT = 5.0  # after a lane's RQ worker stopped on an error, before a new one starts


class LaneWorker(LeanWorker):
    """An RQ worker for a thread other than the main one."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        """Signals reach the main thread's worker only; it stops the lanes."""

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """Wait for a job as rq does, but look up every `timeout` seconds and give up once asked
        to stop (rq's own wait only ends with a job or a signal)."""
        if timeout is None:  # burst: one look at the queues
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while not self._stop_requested:
            found = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time=timeout)
            if found is not None:
                return found
        return None


class LeadWorker(LeanWorker):
    """The main thread's worker: its warm shutdown (SIGTERM) asks the lanes to stop too, so they
    finish their jobs while it finishes its own."""

    lanes: "Lanes | None" = None

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        if self.lanes is not None:
            self.lanes.request_stop()


class Lanes:
    """Run `count` LaneWorkers, each on a thread inside the app's context."""

    def __init__(self, app: Flask, make_worker: Callable[[], LaneWorker], count: int):
        self.app = app
        self._make_worker = make_worker
        self.workers = [make_worker() for _ in range(count)]
        self._threads = [
            threading.Thread(target=self._work, args=(n,), name=f"lever-lane-{n + 2}", daemon=True)
            for n in range(count)
        ]
        self._burst = False
        self._stopping = threading.Event()

    def _work(self, index: int) -> None:
        """Run the lane's RQ worker; when rq's loop ends on an error (it quits on any error outside
        a job, such as Redis gone while it records one), start a new worker after RESTART_WAIT
        seconds: otherwise a Redis blip would leave the process with fewer lanes, silently."""
        with self.app.app_context():  # the jobs find this app, never build another
            while True:
                worker = self.workers[index]
                try:
                    worker.work(burst=self._burst)
                except Exception:  # rq's own teardown failed too (Redis still gone)
                    log.exception(
                        "%s: the lane's RQ worker failed", threading.current_thread().name
                    )
                    _close_pubsub(worker)  # what that teardown did not reach
                if self._burst or self._stopping.is_set():
                    return
                log.error(
                    "%s: the lane's RQ worker stopped on an error (logged above); a new one "
                    "starts in %.0f s",
                    threading.current_thread().name,
                    RESTART_WAIT,
                )
                if self._stopping.wait(RESTART_WAIT):
                    return
                try:
                    self.workers[index] = self._make_worker()  # a new name: the old key expires
                except Exception:
                    log.exception(
                        "%s: could not make a new RQ worker", threading.current_thread().name
                    )
                if self._stopping.is_set():
                    return

    def start(self, burst: bool = False) -> "Lanes":
        self._burst = burst
        for thread in self._threads:
            thread.start()
        return self

    def request_stop(self) -> None:
        """Ask every lane to stop after its current job."""
        self._stopping.set()
        for worker in self.workers:
            worker._stop_requested = True  # what rq's own warm shutdown sets

    def stop(self, wait: float = STOP_WAIT) -> bool:
        """Ask every lane to stop after its current job; wait up to `wait` seconds in all for
        them. Tell whether they all stopped."""
        self.request_stop()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)


def _close_pubsub(worker: LaneWorker) -> None:
    """Stop the worker's command channel (rq's `unsubscribe` without talking to Redis), so a
    restarted lane leaves no thread behind retrying a dead worker's subscription."""
    if worker.pubsub_thread is None:
        return
    with contextlib.suppress(Exception):
        worker.pubsub_thread.stop()
        worker.pubsub.close()
