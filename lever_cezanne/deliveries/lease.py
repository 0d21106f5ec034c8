"""Keep a running job's lease: renew it from a thread while the job runs.

Liveness is the database's business: a job whose process is killed stops renewing, its lease
lapses, and whoever watches leases (the reconciler for deliveries, the next sync for catch-up
syncs) takes the work back.
"""

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext

from flask import current_app

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.deliveries import inbox
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)


@contextlib.contextmanager
def renewing(
    renew: Callable[[], bool],
    every: float,
    what: str,
    context: Callable[[], AbstractContextManager] = nullcontext,
) -> Iterator[None]:
    """Call renew() every `every` seconds, in an app context, until the block ends or it
    returns False (finished, or taken back: nothing left to hold).

    The thread dies with the process, so a killed job's lease lapses. `what` names the job in
    the thread's name and its log lines; `context` is entered in the thread (a thread does not
    inherit the job's logging context).
    """
    stop = threading.Event()
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_renew,
        args=(app, renew, stop, every, what, context),
        name=f"lease {what}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(every)


def _renew(app, renew, stop: threading.Event, every: float, what: str, context) -> None:
    with context():
        while not stop.wait(every):
            try:
                with app.app_context():
                    try:
                        if not renew():
                            return
                    finally:
                        db.session.remove()
            except Exception:
                # A database blip: the lease is long enough for the next renewal to make up.
                log.warning("%s: lease not renewed; trying again", what, exc_info=True)


def held(delivery_id: int, attempt: int) -> AbstractContextManager:
    """Renew the delivery's lease, as claimed by `attempt`, every quarter of its length until
    the block ends."""
    return renewing(
        lambda: inbox.renew(delivery_id, attempt),
        inbox.LEASE.total_seconds() / 4,
        f"delivery {delivery_id}",
        lambda: delivery_context(delivery_id),
    )
