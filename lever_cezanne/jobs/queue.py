"""The queue seam: RQ on Redis when REDIS_URL is set, else the app's in-process runner."""

import logging
import random

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import update

from lever_cezanne.extensions import db
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DELIVERY_QUEUED, DELIVERY_RECEIVED

log = logging.getLogger(__name__)
QUEUE_NAME = "lever"
JOB_TIMEOUT = 180
RETRY_INTERVALS = (10, 30, 90, 270, 600)
FAILURE_TTL = 365 * 24 * 3600
RESULT_TTL = 24 * 3600
DELIVERY_JOB = "lever_cezanne.jobs.tasks.run_delivery"
ALIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED}


def retry_intervals() -> list[int]:
    """Return the backoff schedule with jitter, so retries of a burst do not arrive together."""
    return [round(seconds * random.uniform(0.8, 1.2), 1) for seconds in RETRY_INTERVALS]  # noqa: S311


def job_id(delivery_id: int, attempt: int) -> str:
    return f"delivery-{delivery_id}-{attempt}"


def redis_connection() -> Redis:
    """Return the app's Redis connection, built once from REDIS_URL."""
    app = current_app._get_current_object()
    if "lever_redis" not in app.extensions:
        app.extensions["lever_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
    return app.extensions["lever_redis"]


def rq_queue() -> Queue:
    """Return the "lever" queue with the JSON serializer (never pickle)."""
    return Queue(
        QUEUE_NAME,
        connection=redis_connection(),
        serializer=JSONSerializer,
        default_timeout=JOB_TIMEOUT,
    )


def enqueue_delivery(delivery_id: int, attempt: int) -> None:
    """Queue process_delivery for a delivery; raise when the queue is unreachable."""
    if not current_app.config.get("REDIS_URL"):
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


def enqueue_delivery_safely(delivery_id: int, attempt: int) -> bool:
    """Enqueue and mark the delivery queued; on failure log it and leave it for the reconciler."""
    try:
        enqueue_delivery(delivery_id, attempt)
    except (RedisError, OSError, RuntimeError):
        log.exception("delivery %s: could not be queued; the reconciler will retry", delivery_id)
        return False
    # Conditional: a fast job may already have moved the delivery on.
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DELIVERY_RECEIVED)
        .values(status=DELIVERY_QUEUED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def delivery_job_pending(delivery_id: int, attempts: int) -> bool:
    """Tell whether a job for the delivery is still waiting or running in the queue."""
    if not current_app.config.get("REDIS_URL"):
        return current_app.extensions["lever_jobs"].is_pending(delivery_id)
    # RQ retries a job under the id it was enqueued with, while every run counts an attempt,
    # so the live job may carry any attempt number up to the next one.
    ids = [job_id(delivery_id, attempt) for attempt in range(1, attempts + 2)]
    jobs = Job.fetch_many(ids, connection=redis_connection(), serializer=JSONSerializer)
    return any(job is not None and job.get_status(refresh=False) in ALIVE for job in jobs)
