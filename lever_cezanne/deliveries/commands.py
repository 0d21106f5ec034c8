"""`flask worker` (the RQ worker with the app built once) and `flask lever reconcile`."""

import logging
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import event

from lever_cezanne.deliveries import dispatcher, schedule
from lever_cezanne.deliveries.lanes import LANE_TTL, Lanes, LaneWorker, LeadWorker
from lever_cezanne.deliveries.reconciler import reconcile_deliveries
from lever_cezanne.deliveries.sync_jobs import SYNC_QUEUE
from lever_cezanne.extensions import db

log = logging.getLogger(__name__)
# Jobs one worker runs at once. A hire spends most of its time waiting for PostgreSQL and Lever:
# with two, the worker used about three quarters of a core while the machine had more to spare;
# four did about a fifth more hires a second (benchmarks/analysis.md).
DEFAULT_THREADS = 4


@click.command("reconcile")
@with_appcontext
def reconcile_command():
    """Requeue Lever deliveries that are stuck, and print what was done."""
    counts = reconcile_deliveries()
    click.echo(
        f"Requeued {counts['requeued']}, still pending {counts['pending']}, "
        f"given up {counts['given_up']}, queue unreachable {counts['unreachable']}."
    )


def commit_without_waiting_for_disk() -> None:
    """Let this worker's commits return before PostgreSQL has written them to disk.

    For the worker only: whatever it commits can be done again. A database crash loses at most
    the last moment of commits, as a whole and in order, so a delivery whose commits were lost is
    back to received, queued or processing under a lapsing lease, and runs again; every step is
    idempotent. Never for the web process, whose commit is what its 200 promises Lever.
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def _relaxed(dialect, record, cargs, cparams):
        cparams["options"] = f"{cparams.get('options', '')} -c synchronous_commit=off".strip()

    engine.dispose()  # connections opened before (building the app) reconnect with the option


def keep_rows_loaded_after_commit() -> None:
    """Let this worker's sessions keep what they loaded when they commit (expire_on_commit off).

    A hire commits several times (the claim, its records, its Documents with its outcome; more
    for a person found in Cezanne HR), and expiring at every commit made the next step read the
    delivery, integration and person again: a third of the worker's time per hire. A job's
    session lives for that job only (run_delivery removes it), and every read that must be fresh
    says so itself: the token refresh and the write-back note lock their row and read it with
    populate_existing, the claim and the lease are conditional UPDATEs, and a rollback still
    expires everything.
    """
    db.session.remove()  # a session made before keeps its own setting
    db.session.session_factory.configure(expire_on_commit=False)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-reconcile", is_flag=True, help="Do not run the periodic jobs (the reconciler).")
@click.option(
    "--fork",
    is_flag=True,
    help="Run each job in a forked work horse (slower; isolates a job's memory and crashes).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 8),
    default=DEFAULT_THREADS,
    envvar="WORKER_THREADS",
    show_default=True,
    help="Jobs run at once, each on its own thread (1 with --fork or --burst).",
)
@with_appcontext
def worker_command(burst: bool, no_reconcile: bool, fork: bool, threads: int):
    """Run the RQ worker for Lever deliveries, with the app built once."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    from lever_cezanne.deliveries.queue import rq_queue
    from lever_cezanne.redis_client import redis_connection

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set. Without Redis, jobs run inside the web process and no worker "
            "is needed."
        )
    commit_without_waiting_for_disk()
    keep_rows_loaded_after_commit()
    if burst:
        dispatcher.dispatch_all()  # what the receiver stored, into the queue, then work
        db.session.remove()
    cron = None if no_reconcile or burst else schedule.start_cron(app)
    mover = None if burst else dispatcher.start_process(app)

    def make(worker_class, **options):
        return worker_class(
            # Live hires before catch-up syncs: a sync never makes a webhook wait in the queue.
            [rq_queue(schedule.PERIODIC_QUEUE), rq_queue(), rq_queue(SYNC_QUEUE)],
            connection=redis_connection(),
            serializer=JSONSerializer,
            log_job_description=False,  # job arguments stay out of the logs
            maintenance_interval=60,
            **options,
        )

    worker = make(Worker if fork else LeadWorker)
    # Started after the dispatcher and the scheduler forked: never fork beside running threads.
    lanes = None
    # Not in burst mode: a burst ends when the main worker finds the queues empty, and a lane's
    # job may still be queueing the next one (a periodic job its sync, a sync its hires).
    if not fork and not burst and threads > 1:
        make_lane = partial(make, LaneWorker, worker_ttl=LANE_TTL)
        lanes = worker.lanes = Lanes(app, make_lane, threads - 1).start(burst)
    try:
        worker.work(burst=burst, with_scheduler=True)
    finally:
        if lanes is not None:
            lanes.stop()
        if mover is not None:
            mover.terminate()
            mover.join(5)
        if cron is not None:
            cron.terminate()
            cron.join(5)
