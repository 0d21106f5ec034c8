"""The functions RQ runs, by dotted name. They take ids only, never payloads or tokens."""

import logging
import os

from flask import Flask, current_app, has_app_context
from rq import get_current_job

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
_app: Flask | None = None
_pool_pid = os.getpid()


def worker_app() -> Flask:
    """Return the app the worker built before it started, or build one once for this process."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from lever_cezanne import create_app

        _app = create_app()
    return _app


def _after_fork(app: Flask) -> None:
    """Give a forked work horse its own database connections, never its parent's sockets."""
    global _pool_pid
    if os.getpid() != _pool_pid:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
        _pool_pid = os.getpid()


def run_delivery(delivery_id: int) -> str | None:
    """Process one delivery inside an app context; RQ retries when it raises RetryLater."""
    from lever_cezanne.deliveries.process import process_delivery

    app = worker_app()
    _after_fork(app)
    job = get_current_job()
    final_attempt = job is None or not job.retries_left
    with app.app_context(), delivery_context(delivery_id):
        try:
            return process_delivery(delivery_id, final_attempt=final_attempt)
        finally:
            db.session.remove()


def run_periodic(path: str) -> None:
    """Run one entry of the schedule ("module:function"), as the cron scheduler asks."""
    from lever_cezanne.deliveries import schedule

    app = worker_app()
    _after_fork(app)
    with app.app_context():
        try:
            schedule.run(path)
        finally:
            db.session.remove()


def run_sync_job(run_id: int):
    """Run one catch-up sync inside an app context; RQ retries it when Lever is busy."""
    from lever_cezanne.deliveries.sync import run_sync

    app = worker_app()
    _after_fork(app)
    job = get_current_job()
    final_attempt = job is None or not job.retries_left
    with app.app_context():
        try:
            run = run_sync(run_id, final_attempt=final_attempt)
            return run.status if run is not None else None
        finally:
            db.session.remove()


def run_after_approval(pending_id: int, complete: bool) -> None:
    """Fetch an approved pending hire's Documents and send its note; RQ retries when Lever is
    busy."""
    from lever_cezanne.deliveries.after_approval import run

    app = worker_app()
    _after_fork(app)
    job = get_current_job()
    final_attempt = job is None or not job.retries_left
    with app.app_context():
        try:
            run(pending_id, complete, final_attempt=final_attempt)
        finally:
            db.session.remove()
