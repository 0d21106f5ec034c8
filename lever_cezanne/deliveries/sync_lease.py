"""A running catch-up sync's lease: `lease_until`, renewed by deliveries.lease while it runs.

Liveness is the database's business, as for deliveries: a sync whose worker is killed stops
renewing, its lease lapses, and sync.expire_lapsed() marks it failed so a new one can start.
"""

from contextlib import AbstractContextManager
from datetime import timedelta

from sqlalchemy import update

from lever_cezanne.deliveries import lease
from lever_cezanne.extensions import db
from lever_cezanne.models import SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncStatus

LEASE = timedelta(minutes=2)  # a running sync renews it every quarter of this
QUEUED_LEASE = timedelta(minutes=30)  # waiting in the queue behind live hires, or for a retry


def extend(run_id: int, length: timedelta) -> bool:
    """Push the run's lease to now + length (own transaction); False once it is not running."""
    renewed = db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == SyncStatus.RUNNING)
        .values(lease_until=utcnow() + length)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def held(run_id: int) -> AbstractContextManager:
    """Renew the run's lease every quarter of its length until the block ends."""
    return lease.renewing(
        lambda: extend(run_id, LEASE), LEASE.total_seconds() / 4, f"sync run {run_id}"
    )
