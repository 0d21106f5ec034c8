"""The queue seam: RQ on Redis when REDIS_URL is set, else the app's in-process runner."""

import logging
import random

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer

from lever_cezanne.app_logging import delivery_context
from lever_cezanne.redis_client import redis_connection

log = logging.getLogger(__name__)
QUEUE_NAME = "lever"
# Hires the catch-up sync found wait here; workers read it after the hires queue, so a backfill of
# thousands never makes a live webhook wait behind it.
SYNC_QUEUE_NAME = "lever-sync"
JOB_TIMEOUT = 180
RETRY_INTERVALS = (10, 30, 90, 270, 600)
FAILURE_TTL = 365 * 24 * 3600
RESULT_TTL = 3600
DELIVERY_JOB = "lever_cezanne.deliveries.worker.run_delivery"
# A job waiting in the queue or for its backoff. A started job is not proof of life: the job
# claims its delivery first thing, so a queued delivery with a started job was killed early.
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def retry_intervals() -> list[int]:
    """Return the backoff schedule with jitter, so retries of a burst do not arrive together."""
    return [round(seconds * random.uniform(0.8, 1.2), 1) for seconds in RETRY_INTERVALS]  # noqa: S311


def job_id(delivery_id: int, attempt: int) -> str:
    return f"delivery-{delivery_id}-{attempt}"


def uses_redis() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def rq_queue(name: str = QUEUE_NAME) -> Queue:
    """Return a queue (the hires' "lever" by default) with the JSON serializer (never pickle)."""
    return Queue(
        name,
        connection=redis_connection(),
        serializer=JSONSerializer,
        default_timeout=JOB_TIMEOUT,
    )


def enqueue_delivery(delivery_id: int, attempt: int) -> None:
    """Queue process_delivery for a delivery; raise when the queue is unreachable."""
    if not uses_redis():
        current_app.extensions["lever_jobs"].submit(delivery_id)
        return
    rq_queue().enqueue(
        DELIVERY_JOB,
        delivery_id,
        job_id=job_id(delivery_id, attempt),
        retry=Retry(max=len(RETRY_INTERVALS), interval=retry_intervals()),
        job_timeout=JOB_TIMEOUT,
        failure_ttl=FAILURE_TTL,
        result_ttl=RESULT_TTL,
    )


def queue_for(source: str | None) -> str:
    """The queue a delivery's job goes to: the catch-up sync's finds wait behind live hires."""
    return SYNC_QUEUE_NAME if source == "sync" else QUEUE_NAME


def enqueue_deliveries(taken: list[tuple[int, int, str | None]]) -> None:
    """Queue many deliveries, (id, attempt, source) each, in one Redis round trip; raise when
    down."""
    connection = redis_connection()
    with connection.pipeline() as pipe:
        for name in sorted({queue_for(source) for _, _, source in taken}):
            rq_queue(name).enqueue_many(
                [
                    Queue.prepare_data(
                        DELIVERY_JOB,
                        args=(delivery_id,),
                        job_id=job_id(delivery_id, attempt),
                        retry=Retry(max=len(RETRY_INTERVALS), interval=retry_intervals()),
                        timeout=JOB_TIMEOUT,
                        failure_ttl=FAILURE_TTL,
                        result_ttl=RESULT_TTL,
                    )
                    for delivery_id, attempt, source in taken
                    if queue_for(source) == name
                ],
                pipeline=pipe,
            )
        pipe.execute()


def enqueue_delivery_safely(delivery_id: int, attempt: int) -> bool:
    """Enqueue; on failure log it and leave the delivery for the reconciler."""
    try:
        enqueue_delivery(delivery_id, attempt)
    except (RedisError, OSError, RuntimeError):
        with delivery_context(delivery_id):
            log.exception(
                "delivery %s: could not be queued; the reconciler will retry", delivery_id
            )
        return False
    return True


def delivery_job_waiting(delivery_id: int, attempts: int) -> bool:
    """Tell whether a job for the delivery still waits in the queue or for its backoff."""
    if not uses_redis():
        return current_app.extensions["lever_jobs"].is_pending(delivery_id)
    # RQ retries a job under the id it was enqueued with, while every run counts an attempt,
    # so the live job may carry any attempt number up to the next one.
    ids = [job_id(delivery_id, attempt) for attempt in range(1, attempts + 2)]
    return any(jobs_waiting(ids))


def jobs_waiting(ids: list[str], started_counts: bool = False) -> list[bool]:
    """Tell, for each job id, whether a worker will still run that job.

    RQ's status alone is not enough: a job stays "queued" from the moment a worker pops it until
    the worker starts it, and RQ pops with LPOP when a worker reads several queues, so a worker
    killed in between leaves a "queued" job that no queue holds and nothing will ever run. So a
    queued job must be in its queue, a scheduled or deferred one in its registry. A started job
    counts only when asked (`started_counts`): RQ takes back a dead worker's started jobs itself.
    """
    connection = redis_connection()
    jobs = Job.fetch_many(ids, connection=connection, serializer=JSONSerializer)
    statuses = [job and job.get_status(refresh=False) for job in jobs]
    with connection.pipeline(transaction=False) as pipe:
        for job, status in zip(jobs, statuses, strict=True):
            if status == JobStatus.QUEUED:
                pipe.lpos(f"{Queue.redis_queue_namespace_prefix}{job.origin}", job.id)
            elif status in (JobStatus.SCHEDULED, JobStatus.DEFERRED):
                registry = (
                    ScheduledJobRegistry if status == JobStatus.SCHEDULED else DeferredJobRegistry
                )
                pipe.zscore(registry(job.origin, connection=connection).key, job.id)
        found = iter(pipe.execute())
    return [
        (status == JobStatus.STARTED and started_counts)
        or (status in WAITING and next(found) is not None)
        for status in statuses
    ]
