"""The inbox of Lever deliveries: the only writer of a delivery's status, and how it is run.

`store()` a delivery, commit, then `start_soon()`; `retry()` a failed one. Jobs run on RQ when
REDIS_URL is set (`flask worker`), else on the app's in-process runner.
"""

from flask import Flask

from lever_cezanne.deliveries import inbox, queue, schedule
from lever_cezanne.deliveries.inbox import retry, store
from lever_cezanne.deliveries.runner import InProcessRunner
from lever_cezanne.deliveries.signed import store_signed

__all__ = ["hand_over", "init_app", "retry", "start_soon", "store", "store_signed"]


def init_app(app: Flask) -> None:
    """Set up in-process execution when there is no Redis (the embedded default)."""
    if app.config.get("REDIS_URL") or "lever_jobs" in app.extensions:
        return
    runner = InProcessRunner(app)
    app.extensions["lever_jobs"] = runner
    if schedule.intervals(app) and not app.testing:
        # Started by the first request, never while the app is being built.
        app.before_request(runner.start_reconciler)


def hand_over(app: Flask, delivery_id: int) -> None:
    """The receiver's hand-over of a stored (committed) hire. With Redis, nothing to do in the
    request: the insert's NOTIFY wakes the workers' dispatcher, which queues it. Without Redis,
    the in-process runner starts it now."""
    if not app.config.get("REDIS_URL"):
        start_soon(app, delivery_id)


def start_soon(app: Flask, delivery_id: int, attempt: int = 1) -> bool:
    """Queue a stored (committed) delivery; False when the queue is down (the reconciler then
    queues it within a minute)."""
    with app.app_context():
        if not queue.enqueue_delivery_safely(delivery_id, attempt):
            return False
        inbox.mark_queued(delivery_id)
        return True
