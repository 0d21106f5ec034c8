"""Keep a running job's lease: renew it from the process's renewal threads while the job runs.

Liveness is the database's business: a job whose process is killed stops renewing, its lease
lapses, and whoever watches leases (the reconciler for deliveries, the next sync for catch-up
syncs) takes the work back.

A few threads per process renew every lease its jobs hold, each when it falls due. A job only
adds its lease to their list and takes it off again: most hires end long before their first
renewal, and a thread started and joined for each job cost the worker more than the renewal.
Renewals run on RENEWAL_THREADS threads, so a renewal stuck on a dead connection holds up its own
lease, not every lease of the process (while fewer than that many are stuck).
"""

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from flask import Flask, current_app

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.deliveries import inbox
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
RENEWAL_THREADS = 4
IDLE_TICK = 5.0  # how often the scheduling thread looks when no lease is shorter


@dataclass(eq=False)
class _Lease:
    app: Flask
    renew: Callable[[], bool]
    every: float
    what: str
    context: Callable[[], AbstractContextManager]
    due: float = field(init=False)
    renewing: bool = False  # a renewal of it is queued or running

    def __post_init__(self) -> None:
        self.due = time.monotonic() + self.every


class _Renewer:
    """The process's leases, a thread that hands each to the renewal threads when it falls due,
    and those threads; all started with the first lease (again in a forked child)."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the parent's threads are not here

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._leases: set[_Lease] = set()
        self._wake = threading.Event()
        self._due: queue.SimpleQueue[_Lease] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def add(self, lease: _Lease) -> None:
        with self._lock:
            self._leases.add(lease)
            self._start_threads()
        if lease.every < IDLE_TICK:
            self._wake.set()  # a short lease (a test's): look again sooner than the idle tick

    def remove(self, lease: _Lease) -> None:
        with self._lock:
            self._leases.discard(lease)

    def _start_threads(self) -> None:
        """Under the lock: start the threads, or again any that died."""
        if len(self._threads) == RENEWAL_THREADS + 1 and all(t.is_alive() for t in self._threads):
            return
        wanted = [("lease schedule", self._schedule)] + [
            (f"lease renewal {n}", self._renew_queued) for n in range(1, RENEWAL_THREADS + 1)
        ]
        alive = {t.name: t for t in self._threads if t.is_alive()}
        self._threads = [alive.get(name) or _started(name, target) for name, target in wanted]

    def _schedule(self) -> None:
        while True:
            self._wake.clear()  # before looking: a lease added meanwhile wakes the next wait
            try:
                wait = self._hand_out_due()
            except Exception:  # never lose the thread: every lease of the process needs it
                log.exception("lease schedule: failed; looking again")
                wait = IDLE_TICK
            self._wake.wait(wait)

    def _hand_out_due(self) -> float:
        """Queue every lease that fell due; return how long to wait before looking again."""
        now = time.monotonic()
        with self._lock:
            leases = list(self._leases)
        for lease in leases:
            if lease.due <= now and not lease.renewing:
                lease.renewing = True
                self._due.put(lease)
        waiting = [lease for lease in leases if not lease.renewing]
        wake = min((lease.due for lease in waiting), default=now + IDLE_TICK)
        # A lease being renewed now falls due again one period after its renewal ends: looking
        # at least once a shortest period finds it in time.
        shortest = min((lease.every for lease in leases), default=IDLE_TICK)
        return max(0.0, min(wake - time.monotonic(), shortest, IDLE_TICK))

    def _renew_queued(self) -> None:
        while True:
            lease = self._due.get()
            try:
                if not _renew_once(lease):
                    self.remove(lease)  # finished or taken back: nothing left to hold
            except Exception:  # never lose the thread: the other leases need it
                log.exception("%s: lease renewal failed; trying again", lease.what)
            finally:
                lease.due = time.monotonic() + lease.every
                lease.renewing = False


def _started(name: str, target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def _renew_once(lease: _Lease) -> bool:
    """Renew one lease in its app and logging context; False when there is nothing to hold."""
    with lease.context():
        try:
            with lease.app.app_context():
                try:
                    return lease.renew()
                finally:
                    db.session.remove()
        except Exception:
            # A database blip: the lease is long enough for the next renewal to make up.
            log.warning("%s: lease not renewed; trying again", lease.what, exc_info=True)
            return True


_renewer = _Renewer()


@contextlib.contextmanager
def renewing(
    renew: Callable[[], bool],
    every: float,
    what: str,
    context: Callable[[], AbstractContextManager] = nullcontext,
) -> Iterator[None]:
    """Call renew() every `every` seconds, in an app context, until the block ends or it
    returns False (finished, or taken back: nothing left to hold).

    The renewal threads die with the process, so a killed job's lease lapses. `what` names the
    job in the log lines; `context` is entered for each renewal (the threads do not inherit the
    job's logging context).
    """
    lease = _Lease(current_app._get_current_object(), renew, every, what, context)
    _renewer.add(lease)
    try:
        yield
    finally:
        _renewer.remove(lease)


def held(delivery_id: int, attempt: int) -> AbstractContextManager:
    """Renew the delivery's lease, as claimed by `attempt`, every quarter of its length until
    the block ends."""
    return renewing(
        lambda: inbox.renew(delivery_id, attempt),
        inbox.LEASE.total_seconds() / 4,
        f"delivery {delivery_id}",
        lambda: delivery_context(delivery_id),
    )
