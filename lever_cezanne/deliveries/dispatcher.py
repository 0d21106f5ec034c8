"""The dispatcher: moves received deliveries into RQ in batches, beside `flask worker`.

The receiver only stores a delivery and answers; an insert fires PostgreSQL's NOTIFY on
`lever_deliveries` (a trigger on webhook_deliveries), which wakes this thread. It takes up to a
batch of received rows (FOR UPDATE SKIP LOCKED, so several workers never take the same row),
enqueues them in one Redis round trip, and only then commits them as queued. A lost
notification costs at most IDLE_WAIT; the reconciler is the safety net behind that.
"""

import logging
import multiprocessing
import os
import threading

from flask import Flask
from redis.exceptions import RedisError

from lever_cezanne.deliveries import inbox, queue
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
CHANNEL = "lever_deliveries"
BATCH = 500
IDLE_WAIT = 5.0


def dispatch_batch() -> int:
    """Queue up to BATCH received deliveries; return how many (0 when Redis refused them)."""
    taken = inbox.take_received(BATCH)
    if not taken:
        db.session.rollback()
        return 0
    try:
        queue.enqueue_deliveries(taken)
    except (RedisError, OSError):
        db.session.rollback()  # still received: the next wake-up or the reconciler tries again
        log.warning("dispatcher: %s deliveries could not be queued; will retry", len(taken))
        return 0
    db.session.commit()
    return len(taken)


def dispatch_all() -> int:
    """Queue every received delivery, batch after batch; return how many."""
    total = 0
    while True:
        done = dispatch_batch()
        total += done
        if done < BATCH:
            return total


def _listen_url(app: Flask) -> str | None:
    """A libpq URL for the app's PostgreSQL database, or None on another database."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_in_child(app: Flask, parent_pid: int) -> None:
    from lever_cezanne.deliveries.schedule import die_with_parent

    die_with_parent()
    if os.getppid() != parent_pid:
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # never share the worker's connections
    Dispatcher(app)._run()


def start_process(app: Flask) -> multiprocessing.Process:
    """Run the dispatcher in a process of its own beside the worker, forked before the worker
    starts any thread (a forking worker must never fork while a dispatcher thread holds a lock).
    It stops when the worker stops or dies."""
    process = multiprocessing.get_context("fork").Process(
        target=_run_in_child, args=(app, os.getpid()), name="lever-dispatcher"
    )
    process.daemon = True
    process.start()
    return process


class Dispatcher:
    """Dispatches on every NOTIFY, and at least every IDLE_WAIT seconds (a thread in tests)."""

    def __init__(self, app: Flask):
        self.app = app
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is on and the backlog drained
        self._thread = threading.Thread(target=self._run, name="lever-dispatcher", daemon=True)

    def start(self) -> "Dispatcher":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        """Stop the thread, waking it from its wait for a notification."""
        self._stop.set()
        self._wake()
        self._thread.join(timeout)

    def _wake(self) -> None:
        """Send the channel a notification; every dispatcher listening drains once, harmlessly."""
        url = _listen_url(self.app)
        if url is None:
            return  # polling: the stop event itself ends the wait
        import psycopg

        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
                conn.execute(f"NOTIFY {CHANNEL}")
        except psycopg.Error:
            log.warning("dispatcher: could not wake the listener; it stops within %s s", IDLE_WAIT)

    def _run(self) -> None:
        url = _listen_url(self.app)
        while not self._stop.is_set():
            try:
                if url is None:
                    self._poll()
                else:
                    self._listen(url)
            except Exception:
                log.exception("dispatcher: failed; starting again in %s seconds", IDLE_WAIT)
                self._stop.wait(IDLE_WAIT)

    def _drain(self) -> None:
        with self.app.app_context():
            try:
                dispatch_all()
            finally:
                db.session.remove()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._drain()
            self._stop.wait(IDLE_WAIT)

    def _listen(self, url: str) -> None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                self._drain()
                self.listening.set()
                # Wait for one notification, then swallow those that came meanwhile: one drain
                # serves them all.
                for _ in conn.notifies(timeout=IDLE_WAIT, stop_after=1):
                    pass
                for _ in conn.notifies(timeout=0):
                    pass
