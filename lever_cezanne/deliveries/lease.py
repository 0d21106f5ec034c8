"""Keep a running job's lease: renew it from the process's renewer thread while the job runs.

Liveness is the database's business: a job whose process is killed stops renewing, its lease
lapses, and whoever watches leases (the reconciler for deliveries, the next sync for catch-up
syncs) takes the work back.

One thread per process renews every lease its jobs hold, each when it falls due. A job only adds
its lease to the thread's list and takes it off again: most hires end long before their first
renewal, and a thread started and joined for each job cost the worker more than the renewal.
"""

import contextlib
import logging
import os
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


@dataclass(eq=False)
class _Lease:
    app: Flask
    renew: Callable[[], bool]
    every: float
    what: str
    context: Callable[[], AbstractContextManager]
    due: float = field(init=False)

    def __post_init__(self) -> None:
        self.due = time.monotonic() + self.every


class _Renewer:
    """The process's renewer thread and the leases it keeps, started with the first lease."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child starts its own

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._leases: set[_Lease] = set()
        self._wake = threading.Event()
        self._tick = float("inf")  # the shortest renewal period seen: the longest wait
        self._thread: threading.Thread | None = None

    def add(self, lease: _Lease) -> None:
        with self._lock:
            self._leases.add(lease)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lease renewer", daemon=True)
                self._thread.start()
            if lease.every < self._tick:
                # Renewals this frequent are new (a test's short lease): wake the thread, which
                # otherwise sleeps a whole period. Every other lease falls due after its wake-up.
                self._tick = lease.every
                self._wake.set()

    def remove(self, lease: _Lease) -> None:
        with self._lock:
            self._leases.discard(lease)

    def _run(self) -> None:
        while True:
            self._wake.clear()  # before looking: a lease added meanwhile wakes the next wait
            try:
                self._renew_due()
            except Exception:  # never let the thread die: every lease of the process needs it
                log.exception("lease renewer: failed; carrying on")
            with self._lock:
                wake = min((lease.due for lease in self._leases), default=float("inf"))
                tick = self._tick
            self._wake.wait(max(0.0, min(wake - time.monotonic(), tick)))

    def _renew_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [lease for lease in self._leases if lease.due <= now]
        for lease in due:
            if not _renew_once(lease):
                self.remove(lease)  # finished or taken back: nothing left to hold
            lease.due = time.monotonic() + lease.every


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

    The renewer thread dies with the process, so a killed job's lease lapses. `what` names the
    job in the log lines; `context` is entered for each renewal (the thread does not inherit the
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
