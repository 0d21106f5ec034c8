"""Keep a running catch-up sync's lease: renew `lease_until` from a thread while it runs.

Liveness is the database's business, as for deliveries: a sync whose worker is killed stops
renewing, its lease lapses, and sync.expire_lapsed() marks it failed so a new one can start.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from lever_cezanne.extensions import db
from lever_cezanne.models import SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)  # a running sync renews it every quarter of this
QUEUED_LEASE = timedelta(minutes=30)  # waiting in the queue behind live hires, or for a retry


def extend(run_id: int, length: timedelta) -> bool:
    """Push the run's lease to now + length (own transaction); False once it is not running."""
    renewed = db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == SyncStatus.RUNNING)
        .values(lease_until=utcnow() + length)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def _renew(app, run_id: int, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            with app.app_context():
                try:
                    if not extend(run_id, LEASE):
                        return  # finished, or marked failed: nothing left to hold
                finally:
                    db.session.remove()
        except Exception:
            # A database blip: the lease is long enough for the next renewal to make up for it.
            log.warning("sync run %s: lease not renewed; trying again", run_id, exc_info=True)


@contextlib.contextmanager
def held(run_id: int):
    """Renew the run's lease every quarter of its length until the block ends.

    The thread dies with the process, so a killed sync's lease lapses.
    """
    stop = threading.Event()
    every = LEASE.total_seconds() / 4
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_renew, args=(app, run_id, stop, every), name=f"sync-lease-{run_id}", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(every)
