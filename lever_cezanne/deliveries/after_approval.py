"""After an Administrator approves (or merges) a pending hire: its Documents and the note.

Approving runs in the web request, which never calls Lever. Once the approval has committed,
`start_soon()` hands this job over: with Redis it is an RQ job on the hires queue, retried with
the hires' backoff while Lever is busy; without Redis it runs on the in-process runner of the web
process, retried the same way. It only adds Documents and the note, with their own once-only
guarantees (sha256 per person; the note's claimed row); it never changes a delivery's status.

While the integration is paused, Lever is not called: an approval then keeps its Documents and
note on the pending hire (`waits_for_resume`) until its job goes ahead; Resume starts them, and
start_waiting (periodic) starts any whose start was lost.
"""

import logging

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import select

from lever_cezanne.deliveries.queue import (
    JOB_TIMEOUT,
    RETRY_INTERVALS,
    jobs_waiting,
    retry_intervals,
    rq_queue,
)
from lever_cezanne.deliveries.runner import Job
from lever_cezanne.extensions import db
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import REAUTHORISE_MESSAGE, LeverError, LeverTransientError
from lever_cezanne.models import LeverIntegration, Person, WebhookDelivery
from lever_cezanne.models.integration import AUTH_AUTHORISED, LEVEL_INFORMATION, LEVEL_WARNING
from lever_cezanne.models.pending import PendingHire, PendingStatus
from lever_cezanne.onboarding.after_hire import HireLog, after_hire

log = logging.getLogger(__name__)
APPROVAL_JOB = "lever_cezanne.deliveries.worker.run_after_approval"


class RetryLater(Exception):
    """Lever was busy: run the job again after the backoff."""


def job_id(pending_id: int) -> str:
    return f"approved-{pending_id}"


def hand_over(held: PendingHire, complete: bool) -> None:
    """After an approval or merge has committed: start its job, or, when Lever access is not
    authorised (so the job could fetch nothing), say so on the Log tab now."""
    integration = db.session.get(LeverIntegration, held.integration_id)
    if _kept_for_resume(integration, held, complete):
        return
    if integration.auth_status != AUTH_AUTHORISED:
        delivery = db.session.get(WebhookDelivery, held.delivery_id)
        _warn(integration, delivery, held, REAUTHORISE_MESSAGE)
        return
    if not start_soon(current_app._get_current_object(), held.id, complete):
        delivery = db.session.get(WebhookDelivery, held.delivery_id)
        _warn(integration, delivery, held, "the background job queue could not be reached")


def start_soon(app: Flask, pending_id: int, complete: bool) -> bool:
    """Start the job for a committed approval; False (logged) when it could not be queued."""
    try:
        if app.config.get("REDIS_URL"):
            with app.app_context():
                rq_queue().enqueue(
                    APPROVAL_JOB,
                    pending_id,
                    complete,
                    job_id=job_id(pending_id),
                    retry=Retry(max=len(RETRY_INTERVALS), interval=retry_intervals()),
                    job_timeout=JOB_TIMEOUT,
                    result_ttl=3600,
                    failure_ttl=7 * 24 * 3600,
                )
            return True
        app.extensions["lever_jobs"].submit_job(
            Job(
                key=job_id(pending_id),
                run=lambda final_attempt: run(pending_id, complete, final_attempt=final_attempt),
                intervals=retry_intervals,
                retry_on=(RetryLater,),
                what=f"pending hire {pending_id} (documents and note)",
            )
        )
    except (RedisError, OSError, RuntimeError):
        log.exception("pending hire %s: its Documents and note could not be queued", pending_id)
        return False
    return True


def run(pending_id: int, complete: bool, *, final_attempt: bool = True) -> None:
    """Fetch an approved hire's Documents and, when the option is on, send the note.

    Raises RetryLater when Lever is busy and this is not the last attempt."""
    held = db.session.get(PendingHire, pending_id)
    if held is None or held.person_id is None:
        return
    if held.status not in (PendingStatus.APPROVED, PendingStatus.MERGED):
        return
    integration = db.session.get(LeverIntegration, held.integration_id)
    if integration is None or integration.deleted_at is not None:
        return
    if _kept_for_resume(integration, held, complete):  # paused after the job was queued
        return
    delivery = db.session.get(WebhookDelivery, held.delivery_id)
    try:
        client = LeverClient.for_integration(integration.id)
        offers = client.get_offers(held.opportunity_id)
        after_hire(
            client,
            integration,
            delivery,
            held.person_id,
            offers,
            complete,
            final_attempt=final_attempt,
        )
        db.session.commit()  # the Documents
    except LeverTransientError as exc:
        if not final_attempt:
            log.warning("pending hire %s: Lever busy (%s), will retry", pending_id, exc.detail)
            raise RetryLater(str(exc)) from exc
        _warn(integration, delivery, held, exc.final_message)
    except LeverError as exc:
        _warn(integration, delivery, held, str(exc))


def _kept_for_resume(integration: LeverIntegration, held: PendingHire, complete: bool) -> bool:
    """While the integration is paused, keep the approved hire's Documents and note for Resume
    (`waits_for_resume`) and say so on the Log tab; tell whether they were kept. Going ahead,
    clear the mark of an earlier wait."""
    if not integration.is_paused and not held.waits_for_resume:
        return False
    # Read again under the row's lock, which Resume takes too: a Resume either comes after this
    # mark (and starts the job) or before this read (and the job goes on now). Where the database
    # has no such lock (SQLite), start_waiting picks up a mark that came after Resume's look.
    paused_at = db.session.scalar(
        select(LeverIntegration.paused_at)
        .where(LeverIntegration.id == integration.id)
        .with_for_update()
    )
    if paused_at is None:
        held.waits_for_resume = False
        db.session.commit()  # the lock, and the mark cleared: going ahead now
        return False
    held.waits_for_resume, held.complete = True, complete
    person = db.session.get(Person, held.person_id)
    hire_log = HireLog(integration, db.session.get(WebhookDelivery, held.delivery_id), person)
    hire_log.write(  # commits the mark with the row
        LEVEL_INFORMATION,
        f"The Documents and the note to Lever for {hire_log.who}, approved under Pending hires, "
        "wait for the integration to be resumed, as Lever is not called while it is paused: "
        "press Resume on its Details tab to fetch and send them. The hire itself is complete.",
    )
    return True


def waiting_for_resume(integration_id: int | None = None) -> list[tuple[int, bool]]:
    """The approved hires whose Documents and note wait although their integration is no longer
    paused, as (pending hire id, complete), oldest approval first. The mark stays until their
    job goes ahead: a start that is lost (queue down, server stopped) is made by start_waiting."""
    query = (
        select(PendingHire.id, PendingHire.complete)
        .join(LeverIntegration, LeverIntegration.id == PendingHire.integration_id)
        .where(
            PendingHire.waits_for_resume,
            LeverIntegration.paused_at.is_(None),
            LeverIntegration.deleted_at.is_(None),
        )
        .order_by(PendingHire.decided_at, PendingHire.id)
    )
    if integration_id is not None:
        query = query.where(PendingHire.integration_id == integration_id)
    return [(pending_id, bool(complete)) for pending_id, complete in db.session.execute(query)]


def start_waiting() -> int:
    """Periodic: start the Documents and note of approved hires still waiting after a Resume
    whose start was lost, unless their job already waits to run; return how many started."""
    app = current_app._get_current_object()
    started = 0
    for pending_id, complete in waiting_for_resume():
        if not _job_waiting(app, pending_id):
            started += start_soon(app, pending_id, complete)
    return started


def _job_waiting(app: Flask, pending_id: int) -> bool:
    if app.config.get("REDIS_URL"):
        return jobs_waiting([job_id(pending_id)], started_counts=True)[0]
    return app.extensions["lever_jobs"].is_pending(job_id(pending_id))


def _warn(integration, delivery, held: PendingHire, why: str) -> None:
    db.session.rollback()
    person = db.session.get(Person, held.person_id)
    if person is None:
        return
    hire_log = HireLog(integration, delivery, person)
    hire_log.write(
        LEVEL_WARNING,
        f"The Documents and the note to Lever for {hire_log.who}, approved under Pending hires, "
        f"were not fetched: {why.rstrip('.')}. The hire itself is complete; the files are on "
        "the candidate in Lever.",
    )
