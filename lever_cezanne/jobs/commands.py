"""`flask worker` (the RQ worker with the app built once) and `flask lever reconcile`."""

import logging
import multiprocessing
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from lever_cezanne.cli import lever_cli
from lever_cezanne.extensions import db
from lever_cezanne.jobs.reconcile import reconcile_deliveries
from lever_cezanne.jobs.schedule import run_periodic_jobs

log = logging.getLogger(__name__)


@lever_cli.command("reconcile")
def reconcile_command():
    """Re-enqueue Lever deliveries that are stuck, and print what was done."""
    counts = reconcile_deliveries()
    click.echo(
        f"Requeued {counts['requeued']}, still pending {counts['pending']}, "
        f"given up {counts['given_up']}, queue unreachable {counts['unreachable']}."
    )


def _reconcile_forever(app, every: float, parent_pid: int) -> None:
    """Run the periodic jobs every minute until the worker that started us goes away."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # never share the parent's connections
    try:
        while os.getppid() == parent_pid:
            try:
                with app.app_context():
                    run_periodic_jobs()
                    db.session.remove()
            except Exception:
                log.exception("reconciler failed; it runs again in %s seconds", every)
            time.sleep(every)
    except KeyboardInterrupt:
        return


def start_reconciler(app, every: float) -> multiprocessing.Process:
    """Fork the reconciler loop beside the worker (before the worker installs its signals)."""
    process = multiprocessing.get_context("fork").Process(
        target=_reconcile_forever, args=(app, every, os.getpid()), name="lever-reconcile"
    )
    process.daemon = True
    process.start()
    return process


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--no-reconcile", is_flag=True, help="Do not run the reconciler every minute.")
@with_appcontext
def worker_command(burst: bool, no_reconcile: bool):
    """Run the RQ worker for Lever deliveries, with the app built once before forking."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    from lever_cezanne.jobs.queue import redis_connection, rq_queue

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set. Without Redis, jobs run inside the web process and no worker "
            "is needed."
        )
    reconciler = None
    if not no_reconcile and not burst:
        reconciler = start_reconciler(app, app.config.get("RECONCILE_INTERVAL", 60))
    worker = Worker(
        [rq_queue()],
        connection=redis_connection(),
        serializer=JSONSerializer,
        log_job_description=False,  # job arguments stay out of the logs
        # RQ frees the jobs of a killed worker, and restarts a dead scheduler, only during its
        # maintenance; every minute rather than every ten keeps a crash from delaying hires.
        maintenance_interval=60,
    )
    try:
        worker.work(burst=burst, with_scheduler=True)
    finally:
        if reconciler is not None:
            reconciler.terminate()
            reconciler.join(5)
