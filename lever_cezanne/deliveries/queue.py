"""The queue seam: RQ on Redis when REDIS_URL is set, else the app's in-process runner."""

import logging
import random

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from lever_cezanne.logs import delivery_context
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
ALIVE = {*WAITING, JobStatus.STARTED}  # for jobs without a lease (mail)


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
    jobs = Job.fetch_many(ids, connection=redis_connection(), serializer=JSONSerializer)
    return any(job is not None and job.get_status(refresh=False) in WAITING for job in jobs)
