"""Keep a running job's lease: renew `claimed_until` from a thread while the job runs."""

import contextlib
import logging
import threading

from flask import current_app

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.deliveries import inbox
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)


def _renew_until(app, delivery_id: int, stop: threading.Event, every: float) -> None:
    with delivery_context(delivery_id):  # a thread does not inherit the job's context
        _renew(app, delivery_id, stop, every)


def _renew(app, delivery_id: int, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            with app.app_context():
                try:
                    if not inbox.renew(delivery_id):
                        return  # finished, or taken back: nothing left to hold
                finally:
                    db.session.remove()
        except Exception:
            # A database blip: the lease is long enough for the next renewal to make up for it.
            log.warning("delivery %s: lease not renewed; trying again", delivery_id, exc_info=True)


@contextlib.contextmanager
def held(delivery_id: int):
    """Renew the delivery's lease every quarter of its length until the block ends.

    The thread dies with the process, so a killed job's lease lapses and the reconciler takes
    the delivery back.
    """
    stop = threading.Event()
    every = inbox.LEASE.total_seconds() / 4
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_renew_until,
        args=(app, delivery_id, stop, every),
        name=f"lease-{delivery_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(every)
