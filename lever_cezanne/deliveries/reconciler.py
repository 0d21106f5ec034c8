"""reconcile_deliveries: take back deliveries whose job died or never came.

Liveness is the database's business: a processing delivery whose lease lapsed, or one received
and never queued, is queued again whatever RQ says. Only for a queued delivery past its deadline
is the queue asked, so a backlog or a backoff is not doubled.
"""

import logging
from datetime import datetime

from lever_cezanne.deliveries import inbox, queue
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DeliveryStatus

log = logging.getLogger(__name__)
# Runs of one delivery that may die (a killed or crashed worker) before it is given up. Not its
# attempts: those count RQ's retries after a busy Lever too, which end by themselves.
MAX_LAPSES = 5
BATCH = 500
GAVE_UP = (
    "Processing this hire stopped {lapses} times without finishing (the background worker was "
    "restarted, killed or ran out of memory), so it is no longer tried automatically. Press "
    "Retry now on this row to try again; if it stops again, contact support."
)


def reconcile_deliveries(now: datetime | None = None) -> dict[str, int]:
    """Requeue stuck deliveries; return counts of requeued, still pending and given up."""
    now = now or utcnow()
    counts = {"requeued": 0, "pending": 0, "given_up": 0, "unreachable": 0}
    for row in inbox.stuck(now, BATCH):
        if row.status == DeliveryStatus.QUEUED and queue.delivery_job_waiting(row.id, row.attempts):
            counts["pending"] += inbox.wait_longer(row, now)
        elif row.status == DeliveryStatus.PROCESSING and row.lapses + 1 >= MAX_LAPSES:
            counts["given_up"] += inbox.give_up(row, now, GAVE_UP.format(lapses=row.lapses + 1))
        elif inbox.requeue(row, now):
            if queue.enqueue_delivery_safely(row.id, row.attempts + 1):
                counts["requeued"] += 1
            else:
                counts["unreachable"] += 1  # still queued: taken again after the grace period
    if any(counts.values()):
        log.info("reconciler: %s", counts)
    return counts
