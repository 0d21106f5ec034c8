"""reconcile_deliveries: re-enqueue deliveries the queue lost (Redis down, a worker killed)."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from lever_cezanne.extensions import db
from lever_cezanne.jobs import queue
from lever_cezanne.jobs.delivery import log_delivery_error
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    DELIVERY_FAILED,
    DELIVERY_PROCESSING,
    DELIVERY_QUEUED,
    DELIVERY_RECEIVED,
)

log = logging.getLogger(__name__)
WAITING_TOO_LONG = timedelta(minutes=2)
# A job past its timeout has been killed by RQ; the margin covers the worker's own clean-up.
PROCESSING_TOO_LONG = timedelta(seconds=queue.JOB_TIMEOUT + 60)
MAX_ATTEMPTS = 10
BATCH = 500
GAVE_UP = (
    "This hire was started {attempts} times without finishing, so it was stopped. "
    "Press Retry now on this row to try once more; if it stops again, contact support."
)


def _stuck(now: datetime):
    return (
        select(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.attempts)
        .where(
            or_(
                and_(
                    WebhookDelivery.status.in_((DELIVERY_RECEIVED, DELIVERY_QUEUED)),
                    WebhookDelivery.updated_at < now - WAITING_TOO_LONG,
                ),
                and_(
                    WebhookDelivery.status == DELIVERY_PROCESSING,
                    WebhookDelivery.updated_at < now - PROCESSING_TOO_LONG,
                ),
            )
        )
        .order_by(WebhookDelivery.id)
        .limit(BATCH)
    )


def _take(row, now: datetime, status: str, **values) -> bool:
    """Move a stuck delivery on, unless another reconciler or a job touched it meanwhile."""
    cutoff = now - (PROCESSING_TOO_LONG if row.status == DELIVERY_PROCESSING else WAITING_TOO_LONG)
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == row.id,
            WebhookDelivery.status == row.status,
            WebhookDelivery.attempts == row.attempts,
            WebhookDelivery.updated_at < cutoff,
        )
        .values(status=status, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _give_up(row, now: datetime) -> bool:
    message = GAVE_UP.format(attempts=row.attempts)
    if not _take(row, now, DELIVERY_FAILED, last_error=message, completed_at=now):
        return False
    log_delivery_error(db.session.get(WebhookDelivery, row.id), message)
    db.session.commit()
    return True


def reconcile_deliveries(now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue stuck deliveries; return counts of requeued, still pending and given up."""
    now = now or utcnow()
    counts = {"requeued": 0, "pending": 0, "given_up": 0, "unreachable": 0}
    for row in db.session.execute(_stuck(now)).all():
        if queue.delivery_job_pending(row.id, row.attempts):
            counts["pending"] += 1  # only a backlog: the job is still waiting or running
        elif row.attempts >= MAX_ATTEMPTS:
            counts["given_up"] += _give_up(row, now)
        elif _take(row, now, DELIVERY_QUEUED):
            if _enqueue(row.id, row.attempts + 1):
                counts["requeued"] += 1
            else:
                counts["unreachable"] += 1
    if any(counts.values()):
        log.info("reconciler: %s", counts)
    return counts


def _enqueue(delivery_id: int, attempt: int) -> bool:
    try:
        queue.enqueue_delivery(delivery_id, attempt)
    except Exception:
        # Still queued with a fresh timestamp: the next run in two minutes tries again.
        log.exception("reconciler: delivery %s could not be queued", delivery_id)
        return False
    return True
