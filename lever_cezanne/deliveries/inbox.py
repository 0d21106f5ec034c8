"""The inbox: the only code that changes a delivery's status.

received -> queued -> processing (under a lease) -> completed | partial | failed; ignored for
events other than Candidate Hired. A job holds a delivery by its lease (`claimed_until`) and
renews it while it runs; a queued delivery carries the time by which its job should have started.
Past either, the reconciler takes the delivery back, whatever the queue says.

A run that outlived its lease may still be going when a later attempt has claimed the delivery:
it can no longer renew, finish, fail, postpone or hold it, so the later attempt's outcome stands.
"""

import logging
import weakref
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine, and_, bindparam, inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from lever_cezanne.core.loaded_rows import attach
from lever_cezanne.extensions import db
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import Person, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    LEVEL_ERROR,
    DeliverySource,
    DeliveryStatus,
)

log = logging.getLogger(__name__)
HIRED_EVENT = "candidateHired"
LEASE = timedelta(seconds=20)  # a running job renews it every quarter of this
QUEUED_GRACE = timedelta(minutes=2)  # a queued delivery's job should have started by then
RECEIVED_GRACE = timedelta(seconds=30)  # a received delivery should have been queued by then
RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.PARTIAL)
_Status = DeliveryStatus
# The attempt each delivery object claimed in this process was claimed as: the run's token.
_claimed_as: "weakref.WeakKeyDictionary[WebhookDelivery, tuple[int, int]]" = (
    weakref.WeakKeyDictionary()
)


def _changed(delivery_id: int, *conditions, **values) -> bool:
    """Run one conditional UPDATE of a delivery; tell whether it matched."""
    # On the table, not the entity: the ORM's bulk UPDATE path (which synchronised no loaded
    # object here anyway) costs a worker more than the statement itself.
    table = WebhookDelivery.__table__
    return bool(
        db.session.execute(
            update(table)
            .where(table.c.id == delivery_id, *conditions)
            .values(updated_at=utcnow(), **values)
        ).rowcount
    )


def _alone() -> None:
    """Let the one statement that follows commit by itself when nothing else is pending: on
    PostgreSQL that spares the BEGIN and COMMIT round trips (two of a claim's three).

    Only where the commit follows that statement at once; never inside a test's own transaction.
    """
    session = db.session()
    if session.in_transaction() or session.dirty or session.deleted:
        return  # something is pending: it commits with the statement, or not at all
    if db.engine.dialect.name != "postgresql":
        return
    if isinstance(session.get_bind(), Engine):
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def initial_status(event: str, held: bool) -> DeliveryStatus:
    """The status a new delivery is stored with."""
    if event != HIRED_EVENT:
        return _Status.IGNORED
    return _Status.HELD if held else _Status.RECEIVED


def store(
    integration_id: int,
    *,
    event: str,
    held: bool = False,
    source: DeliverySource = DeliverySource.WEBHOOK,
    **fields,
) -> int | None:
    """Insert a delivery unless it was seen before; return its id, or None for a repeat.

    `fields` are the columns the source read (token_hash, opportunity_id, payload, ...); `held`
    stores a hire unprocessed (the integration is paused). The caller commits; only then may it
    call start_soon().
    """
    now = utcnow()
    values = {
        **fields,
        "integration_id": integration_id,
        "event": event,
        "source": source,
        "status": initial_status(event, held),
        "attempts": 0,
        "received_at": now,
        "updated_at": now,
    }
    # ON CONFLICT DO NOTHING with no conflict target: a repeat of the token OR of the signature
    # (the same signed token + triggeredAt, split differently) resolves to no row, never an
    # error, even when concurrent.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(WebhookDelivery)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.id)
    )
    return db.session.scalar(statement)


def mark_queued(delivery_id: int) -> bool:
    """Note that a received delivery is in the job queue now (a fast job may be past it)."""
    done = _changed(
        delivery_id,
        WebhookDelivery.status == _Status.RECEIVED,
        status=_Status.QUEUED,
        claimed_until=utcnow() + QUEUED_GRACE,
    )
    db.session.commit()
    return done


def take_received(limit: int) -> list[tuple[int, int, str]]:
    """Mark up to `limit` received deliveries queued, without committing; return (id, attempt,
    source) each.

    Rows another dispatcher is taking are skipped. The caller enqueues, then commits (or rolls
    back, leaving them received, when the queue refused them).
    """
    now = utcnow()
    pick = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == _Status.RECEIVED)
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(pick.scalar_subquery()))
        .values(status=_Status.QUEUED, claimed_until=now + QUEUED_GRACE, updated_at=now)
        .returning(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.source)
        .execution_options(synchronize_session=False)
    ).all()
    return [(row.id, row.attempts + 1, row.source) for row in rows]


# The UPDATE returns the row it claimed: the job reads it without asking again. Built once: a
# statement built per job cost the worker more than running it. On the table, returning the row
# but its deferred payload (attached as loaded): returning the entity cost the worker twice as
# much. (Parameters named after a column would be set by the UPDATE.)
_table = WebhookDelivery.__table__
_CLAIMED = [prop.columns[0] for prop in inspect(WebhookDelivery).column_attrs if not prop.deferred]
_CLAIM = (
    update(_table)
    .where(
        _table.c.id == bindparam("delivery"),
        or_(
            _table.c.status.in_((_Status.RECEIVED, _Status.QUEUED)),
            and_(
                _table.c.status == _Status.PROCESSING,
                _table.c.claimed_until < bindparam("now"),
            ),
        ),
    )
    .values(
        status=_Status.PROCESSING,
        attempts=_table.c.attempts + 1,
        claimed_until=bindparam("lease_until"),
        updated_at=bindparam("now"),
    )
    .returning(*_CLAIMED)
)


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery for a job under a fresh lease and count the attempt.

    None when there is nothing to do: finished, or held by another job whose lease still runs.
    """
    now = utcnow()
    _alone()
    row = (
        db.session.execute(
            _CLAIM, {"delivery": delivery_id, "now": now, "lease_until": now + LEASE}
        )
        .mappings()
        .one_or_none()
    )
    db.session.commit()
    if row is None:
        return None
    claimed = attach(WebhookDelivery, row)
    _claimed_as[claimed] = (claimed.id, claimed.attempts)
    return claimed


def renew(delivery_id: int, attempt: int) -> bool:
    """Extend a running job's lease; False when the delivery is no longer processing as that
    attempt (finished, or taken over by a later one)."""
    _alone()
    renewed = _changed(
        delivery_id,
        WebhookDelivery.status == _Status.PROCESSING,
        WebhookDelivery.attempts == attempt,
        claimed_until=utcnow() + LEASE,
    )
    db.session.commit()
    return renewed


@cache
def _end_statement(names: tuple[str, ...]):
    """The UPDATE that writes a run's outcome (these columns), built once per set of columns: a
    statement built per job cost the worker more than running it."""
    table = WebhookDelivery.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("run_delivery"),
            table.c.status == _Status.PROCESSING,
            table.c.attempts == bindparam("run_attempt"),
        )
        .values(
            updated_at=bindparam("run_now"), **{name: bindparam(f"run_{name}") for name in names}
        )
    )


def _end_run(delivery: WebhookDelivery, **values) -> str | None:
    """Write this run's outcome with one conditional UPDATE, only while the delivery is still
    processing under the attempt this run claimed; the row stays locked until the caller commits
    (at once, where the UPDATE runs alone).

    Return None when written. When a later attempt (or the reconciler) has taken the delivery from
    this run, roll back what the run was about to write with it (the hire's Documents and
    resolved Errors: the run that has the delivery now, or a retry, writes them), log it, and
    return the status it has.
    """
    delivery_id, attempt = _claimed_as[delivery]
    ended = db.session.execute(
        _end_statement(tuple(values)),
        {"run_delivery": delivery_id, "run_attempt": attempt, "run_now": utcnow()}
        | {f"run_{name}": value for name, value in values.items()},
    )
    if ended.rowcount:
        for name, value in values.items():  # the job's object says so too, without a reload
            set_committed_value(delivery, name, value)
        return None
    db.session.rollback()
    row = db.session.execute(
        select(WebhookDelivery.status, WebhookDelivery.attempts).where(
            WebhookDelivery.id == delivery_id
        )
    ).one()
    db.session.commit()
    if row.attempts == attempt:  # the reconciler took it back (requeued, or gave it up)
        what = f"its lease lapsed and the delivery was ended as {row.status}"
    else:
        what = f"attempt {row.attempts} took the delivery over"
    log.warning(
        "delivery %s: attempt %s outlived its lease and %s; this run's outcome is dropped",
        delivery_id,
        attempt,
        what,
    )
    return row.status


def _ended(status: DeliveryStatus, error: str | None) -> dict:
    return {
        "status": status,
        "last_error": error,
        "completed_at": utcnow(),
        "claimed_until": None,
    }


def _end_alone(delivery: WebhookDelivery, **values) -> str:
    """End the run with its outcome alone (nothing else to commit with it); return the status
    the delivery has now."""
    _alone()
    if (taken := _end_run(delivery, **values)) is not None:
        return taken
    db.session.commit()
    return values["status"]


def finish(delivery: WebhookDelivery, status: DeliveryStatus, error: str | None = None) -> str:
    """End the job's hold with a final status (completed, partial or failed)."""
    return _end_alone(delivery, **_ended(status, error))


def fail(delivery: WebhookDelivery, message: str, cause: str | None = None) -> str:
    """Write one Error row on the Log tab for the delivery and mark it failed."""
    db.session.rollback()
    if (taken := _end_run(delivery, **_ended(_Status.FAILED, message))) is not None:
        return taken
    log_delivery_error(delivery, message, cause)  # in the same transaction: both or neither
    db.session.commit()
    return _Status.FAILED


def postpone(delivery: WebhookDelivery, message: str) -> str:
    """Give the delivery back to the queue for a retry after a transient failure."""
    db.session.rollback()
    return _end_alone(
        delivery,
        status=_Status.QUEUED,
        last_error=message,
        completed_at=None,
        claimed_until=utcnow() + QUEUED_GRACE,
    )


def hold(delivery: WebhookDelivery) -> str:
    """Hold a claimed delivery unprocessed: its integration was paused after it was queued."""
    return _end_alone(delivery, status=_Status.HELD, completed_at=None, claimed_until=None)


def release_held(integration_id: int) -> list[int]:
    """Make the integration's held deliveries receivable again (Resume); return their ids in
    Lever's order. The caller commits, then calls start_soon() for each."""
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.status == _Status.HELD,
            )
            .order_by(WebhookDelivery.triggered_at, WebhookDelivery.id)
        )
    )
    if ids:
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.status == _Status.HELD)
            .values(status=_Status.RECEIVED, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids


def retry(delivery: WebhookDelivery) -> bool:
    """Make a failed or partial delivery receivable again ("Retry now"); False if it has not
    failed. The caller then calls start_soon()."""
    if delivery.status not in RETRYABLE:
        return False
    delivery.status = _Status.RECEIVED
    delivery.last_error = None
    delivery.completed_at = None
    delivery.claimed_until = None
    delivery.lapses = 0  # a fresh start: its runs may die as often as a new hire's
    db.session.commit()
    return True


def _candidate_name(delivery: WebhookDelivery) -> str | None:
    """Return the name of the person this opportunity already became, if the app knows one."""
    if not delivery.opportunity_id:
        return None
    return db.session.scalar(
        select(Person.full_name)
        .where(Person.lever_opportunity_id == delivery.opportunity_id)
        .order_by(Person.id)
        .limit(1)
    )


def reopen_failed(ids: list[int]) -> None:
    """Make these failed or partial deliveries receivable again ("Retry all failed"), without
    committing; the caller commits, then calls start_soon() for each."""
    if not ids:
        return
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids), WebhookDelivery.status.in_(RETRYABLE))
        .values(
            status=_Status.RECEIVED,
            last_error=None,
            completed_at=None,
            claimed_until=None,
            lapses=0,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def log_delivery_error(delivery: WebhookDelivery, message: str, cause: str | None = None) -> None:
    """Write an Error row on the Log tab, naming the candidate when the app knows the name."""
    name = _candidate_name(delivery)
    if name and name not in message:
        message = f"{name} (opportunity {delivery.opportunity_id}): {message}"
    add_log_entry(
        delivery.integration_id,
        LEVEL_ERROR,
        message,
        delivery_id=delivery.id,
        opportunity_id=delivery.opportunity_id,
        cause=cause,
    )


# The reconciler's side.


def stuck(now: datetime, limit: int):
    """Deliveries to take back: lease or queue deadline passed, or received too long ago."""
    lapsed = or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now)
    return db.session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.status,
            WebhookDelivery.attempts,
            WebhookDelivery.lapses,
            WebhookDelivery.claimed_until,
        )
        .where(
            or_(
                and_(WebhookDelivery.status.in_((_Status.PROCESSING, _Status.QUEUED)), lapsed),
                and_(
                    WebhookDelivery.status == _Status.RECEIVED,
                    WebhookDelivery.updated_at < now - RECEIVED_GRACE,
                ),
            )
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()


def _unchanged(row):
    """Conditions that the delivery is still as the reconciler read it."""
    return (
        WebhookDelivery.status == row.status,
        WebhookDelivery.attempts == row.attempts,
        WebhookDelivery.claimed_until.is_not_distinct_from(row.claimed_until),
    )


def requeue(row, now: datetime) -> bool:
    """Take a stuck delivery back into the queue, unless a job or reconciler moved it meanwhile;
    a processing one's run died (its lease lapsed): count the lapse."""
    lapsed = {"lapses": WebhookDelivery.lapses + 1} if row.status == _Status.PROCESSING else {}
    taken = _changed(
        row.id, *_unchanged(row), status=_Status.QUEUED, claimed_until=now + QUEUED_GRACE, **lapsed
    )
    db.session.commit()
    return taken


def wait_longer(row, now: datetime) -> bool:
    """The queue still holds the delivery's job (a backlog or a backoff): look again later."""
    extended = _changed(row.id, *_unchanged(row), claimed_until=now + QUEUED_GRACE)
    db.session.commit()
    return extended


def give_up(row, now: datetime, message: str) -> bool:
    """Fail a delivery whose runs died too many times, with an Error row; False if it moved
    meanwhile."""
    if not _changed(
        row.id,
        *_unchanged(row),
        lapses=WebhookDelivery.lapses + 1,
        status=_Status.FAILED,
        last_error=message,
        completed_at=now,
        claimed_until=None,
    ):
        db.session.commit()
        return False
    log_delivery_error(db.session.get(WebhookDelivery, row.id), message)
    db.session.commit()
    return True
