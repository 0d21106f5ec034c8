"""The catch-up sync: find the hires Lever made that no webhook brought, and store them.

Lever retries a webhook only five times. The sync lists the opportunities archived with a reason
of type hired in a window of archive times (GET /v1/opportunities, paging with next/hasNext) and
stores each one not stored yet as a delivery of source "sync", through the same inbox, so the
same job and rules run. It is low priority: its Lever calls leave a reserve of the shared budget
to live webhooks (lever.ratelimit.SYNC_RESERVE), and its jobs are on a queue the workers read
after the hires queue. Only this module changes a SyncRun's status.
"""

import hashlib
import json
import logging
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from lever_cezanne import deliveries
from lever_cezanne.deliveries import sync_lease
from lever_cezanne.extensions import db
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import (
    LeverAuthorisationError,
    LeverError,
    LeverPagingError,
    LeverTransientError,
)
from lever_cezanne.lever.ids import lever_id_or_none
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LeverIntegration, LogEntry, SyncRun, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    CAUSE_AUTHORISATION,
    LEVEL_ERROR,
    LEVEL_INFORMATION,
    LEVEL_WARNING,
    DeliverySource,
    SyncKind,
    SyncStatus,
)

log = logging.getLogger(__name__)
HIRED_EVENT = "candidateHired"
OVERLAP = timedelta(minutes=5)  # each periodic window starts this long before the last one ended
SAME_HIRE_MS = 5 * 60 * 1000  # a delivery triggered this close to the archive time is that hire
COMMIT_EVERY = 50  # hires stored per transaction (and progress shown)
FOUND_BY_SYNC = "found by the catch-up sync; Lever's webhook did not arrive"


class RetryLater(Exception):
    """Lever is busy or unreachable: run the sync again after a backoff."""


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of a day (Lever's archive times are UTC instants)."""
    return datetime.combine(day, time(), tzinfo=UTC)


def last_success(integration_id: int) -> SyncRun | None:
    return db.session.scalar(
        select(SyncRun)
        .where(SyncRun.integration_id == integration_id, SyncRun.status == SyncStatus.SUCCEEDED)
        .order_by(SyncRun.until.desc(), SyncRun.id.desc())
        .limit(1)
    )


def latest_run(integration_id: int) -> SyncRun | None:
    return db.session.scalar(
        select(SyncRun)
        .where(SyncRun.integration_id == integration_id)
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def catch_up_since(integration: LeverIntegration) -> datetime:
    """Where a periodic sync starts: the end of the last successful one (or the authorisation),
    a few minutes earlier so a hire archived at the edge is never missed."""
    done = last_success(integration.id)
    start = done.until if done else (integration.authorised_at or integration.created_at)
    return start - OVERLAP


def create_run(
    integration: LeverIntegration,
    kind: SyncKind,
    since: datetime,
    user=None,
    until: datetime | None = None,
) -> SyncRun:
    """Record a sync about to run (flushed, not committed); the caller commits, then runs it."""
    run = SyncRun(
        integration_id=integration.id,
        kind=kind,
        status=SyncStatus.RUNNING,
        since=since,
        until=until or utcnow(),
        started_by=user,
        seen=0,
        stored=0,
        skipped=0,
        lease_until=utcnow() + sync_lease.QUEUED_LEASE,
    )
    db.session.add(run)
    db.session.flush()
    return run


def run_sync(run_id: int, *, final_attempt: bool = True) -> SyncRun:
    """List the run's window from Lever and store every hire not stored yet.

    Raises RetryLater on a transient failure unless this is the final attempt; then (and on
    any other failure) the run fails with one Error or Warning row.
    """
    run = db.session.get(SyncRun, run_id)
    if run is None or run.status != SyncStatus.RUNNING:
        return run
    integration = db.session.get(LeverIntegration, run.integration_id)
    if integration.deleted_at is not None:
        return _end(run, SyncStatus.FAILED, "The integration was deleted.")
    if not sync_lease.extend(run.id, sync_lease.LEASE):
        return run  # marked failed (its lease lapsed) just now
    with sync_lease.held(run.id):
        return _run(run, integration, final_attempt)


def _run(run: SyncRun, integration: LeverIntegration, final_attempt: bool) -> SyncRun:
    try:
        client = LeverClient.for_integration(integration.id, low_priority=True)
        hires = _list_hires(client, run)
    except LeverAuthorisationError as exc:
        return _fail(run, f"{exc} Then press Sync now.", CAUSE_AUTHORISATION)
    except LeverPagingError as exc:
        return _fail(
            run, f"{exc} Nothing more was read; the next sync reads it again.", level=LEVEL_WARNING
        )
    except LeverTransientError as exc:
        if not final_attempt:
            db.session.rollback()
            run.message = str(exc)
            run.lease_until = utcnow() + sync_lease.QUEUED_LEASE  # waiting for its retry
            db.session.commit()
            raise RetryLater(str(exc)) from exc
        return _fail(
            run,
            f"{exc.final_message} The next sync tries again.",
        )
    except LeverError as exc:
        return _fail(run, f"Lever refused the catch-up sync: {exc}")
    _store_all(run, integration, hires)
    return _finish(run)


def _list_hires(client: LeverClient, run: SyncRun) -> list[dict]:
    """Return the window's hires, oldest first, each as {id, name, contact, archived_at}."""
    reasons = [
        r["id"] for r in client.get_archive_reasons("hired") if lever_id_or_none(r.get("id"))
    ]
    if not reasons:
        return []
    hires = []
    for opportunity in client.list_archived(reasons, epoch_ms(run.since), epoch_ms(run.until)):
        archived = opportunity.get("archived") if isinstance(opportunity, dict) else None
        opportunity_id = lever_id_or_none(opportunity.get("id")) if archived else None
        at = archived.get("archivedAt") if isinstance(archived, dict) else None
        if (
            opportunity_id is None
            or not isinstance(at, int)
            or archived.get("reason") not in reasons
        ):
            continue  # not a hire we can look up: the list filter is only a hint, like a webhook
        contact = opportunity.get("contact")
        hires.append(
            {
                "id": opportunity_id,
                "name": str(opportunity.get("name") or "")[:200],
                "contact": lever_id_or_none(contact if isinstance(contact, str) else None),
                "archived_at": at,
            }
        )
    run.total = len(hires)
    db.session.commit()
    return sorted(hires, key=lambda hire: hire["archived_at"])


def already_stored(integration_id: int, hires: list[dict]) -> set[str]:
    """Return the ids of the hires whose delivery is already in the inbox, from a webhook or a
    sync, whatever became of it (completed, waiting, failed with its own Error row): one query
    for the whole batch. Lever lists an opportunity once (list_archived refuses a repeat), so no
    hire of the batch can be stored by another of the same batch."""
    latest = dict(
        db.session.execute(
            select(WebhookDelivery.opportunity_id, func.max(WebhookDelivery.triggered_at))
            .where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.opportunity_id.in_({hire["id"] for hire in hires}),
                WebhookDelivery.event == HIRED_EVENT,
            )
            .group_by(WebhookDelivery.opportunity_id)
        ).all()
    )
    return {
        hire["id"]
        for hire in hires
        if (at := latest.get(hire["id"])) is not None and at >= hire["archived_at"] - SAME_HIRE_MS
    }


def webhook_also_arrived(delivery: WebhookDelivery) -> bool:
    """Tell whether Lever's webhook for a synced hire was stored after all (it raced the sync):
    that delivery does the work, and has its own row if it failed."""
    return (
        db.session.scalar(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.integration_id == delivery.integration_id,
                WebhookDelivery.opportunity_id == delivery.opportunity_id,
                WebhookDelivery.source == DeliverySource.WEBHOOK,
                WebhookDelivery.event == HIRED_EVENT,
                WebhookDelivery.triggered_at >= delivery.triggered_at - SAME_HIRE_MS,
            )
            .limit(1)
        )
        is not None
    )


def _store_one(integration: LeverIntegration, hire: dict) -> int | None:
    # The token of a synced hire is its opportunity and archive time: a second sync of the same
    # hire, even a concurrent one, is refused by the inbox's unique key.
    token = f"sync:{hire['id']}:{hire['archived_at']}"
    body = {
        "event": HIRED_EVENT,
        "triggeredAt": hire["archived_at"],
        "data": {"opportunityId": hire["id"], "contactId": hire["contact"]},
        "source": DeliverySource.SYNC.value,
    }
    return deliveries.store(
        integration.id,
        event=HIRED_EVENT,
        held=integration.is_paused,
        source=DeliverySource.SYNC,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        opportunity_id=hire["id"],
        contact_id=hire["contact"],
        triggered_at=hire["archived_at"],
        payload=json.dumps(body, sort_keys=True),
    )


def note_found_by_sync(
    delivery: WebhookDelivery, name: str | None, person_id: int | None = None
) -> bool:
    """Write the Information row of a hire only the sync found, once its delivery did the work.

    Written at completion, not when the sync stores the hire: Lever's webhook may arrive while
    the hire waits, and then that delivery does the work and this row would not be true.
    """
    if webhook_also_arrived(delivery):
        return False
    name = str(name or "")[:200]
    who = f"{name} (opportunity {delivery.opportunity_id})" if name else delivery.opportunity_id
    message = f"{who}: {FOUND_BY_SYNC}."
    written = db.session.scalar(
        select(LogEntry.id).where(LogEntry.delivery_id == delivery.id, LogEntry.message == message)
    )
    if written is None:  # a retried delivery says it once
        add_log_entry(
            delivery.integration_id,
            LEVEL_INFORMATION,
            message,
            person_id=person_id,
            delivery_id=delivery.id,
            opportunity_id=delivery.opportunity_id,
        )
        db.session.commit()
    return True


def _store_all(run: SyncRun, integration: LeverIntegration, hires: list[dict]) -> None:
    """Store the hires in batches; after each commit, hand the new ones to the job queue."""
    app = current_app._get_current_object()
    for start in range(0, len(hires), COMMIT_EVERY):
        stored, batch = [], hires[start : start + COMMIT_EVERY]
        known = already_stored(integration.id, batch)
        for hire in batch:
            delivery_id = None if hire["id"] in known else _store_one(integration, hire)
            run.seen += 1
            if delivery_id is None:
                run.skipped += 1
            else:
                run.stored += 1
                stored.append(delivery_id)
        db.session.commit()
        if not integration.is_paused:
            for delivery_id in stored:
                deliveries.hand_over(app, delivery_id)


def _since_text(run: SyncRun) -> str:
    return f"{run.since:%d %B %Y}".lstrip("0")


def _finish(run: SyncRun) -> SyncRun:
    if run.kind == SyncKind.BACKFILL:
        add_log_entry(
            run.integration_id,
            LEVEL_INFORMATION,
            f"Imported {run.stored} hires made since {_since_text(run)}; "
            f"{run.skipped} were already in Cezanne HR",
        )
    summary = f"Found {run.seen} hires in Lever: {run.stored} stored, {run.skipped} already stored."
    return _end(run, SyncStatus.SUCCEEDED, summary)


def _failed_the_same_before(run: SyncRun, message: str) -> bool:
    """Tell whether the integration's previous sync failed with the same message: its row
    already says so (a sync every 15 minutes must not bury the Log tab in repeats)."""
    previous = db.session.scalar(
        select(SyncRun)
        .where(
            SyncRun.integration_id == run.integration_id,
            SyncRun.id < run.id,
            SyncRun.finished_at.is_not(None),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    return previous is not None and (previous.status, previous.message) == (
        SyncStatus.FAILED,
        message,
    )


def _fail(run: SyncRun, message: str, cause: str | None = None, level=LEVEL_ERROR) -> SyncRun:
    """End the run with one Error (or Warning) row that says what to do."""
    db.session.rollback()
    if not _failed_the_same_before(run, message):
        add_log_entry(
            run.integration_id, level, f"The catch-up sync failed: {message}", cause=cause
        )
    return _end(run, SyncStatus.FAILED, message)


def _end(run: SyncRun, status: SyncStatus, message: str) -> SyncRun:
    run.status = status
    run.message = message
    run.finished_at = utcnow()
    db.session.commit()
    log.info("sync run %s of integration %s: %s", run.id, run.integration_id, status)
    return run


STOPPED = "It stopped without finishing: its worker was stopped or killed."
STOPPED_NEXT = {
    SyncKind.BACKFILL: "Import again to finish it: hires already stored are not stored twice.",
}
STOPPED_OTHERWISE = "The next sync covers its window again."


def expire_lapsed(integration_id: int | None = None) -> int:
    """Mark failed each running sync whose lease lapsed (its worker died); return how many.

    One Warning row says so; a new sync can start at once.
    """
    now = utcnow()
    lapsed = or_(SyncRun.lease_until.is_(None), SyncRun.lease_until < now)
    query = select(SyncRun).where(SyncRun.status == SyncStatus.RUNNING, lapsed)
    if integration_id is not None:
        query = query.where(SyncRun.integration_id == integration_id)
    expired = 0
    for run in db.session.scalars(query.order_by(SyncRun.id)).all():
        message = f"{STOPPED} {STOPPED_NEXT.get(run.kind, STOPPED_OTHERWISE)}"
        taken = db.session.execute(  # only if still lapsed: its worker may have just renewed it
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.status == SyncStatus.RUNNING, lapsed)
            .values(status=SyncStatus.FAILED, message=message, finished_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            db.session.rollback()
            continue
        if not _failed_the_same_before(run, message):
            add_log_entry(run.integration_id, LEVEL_WARNING, f"The catch-up sync failed: {message}")
        db.session.commit()
        log.warning(
            "sync run %s of integration %s: lease lapsed, failed", run.id, run.integration_id
        )
        expired += 1
    return expired
