"""process_delivery: turn one stored Candidate Hired delivery into Cezanne HR records."""

import logging

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from lever_cezanne.core.dates import today_in
from lever_cezanne.core.text import counted
from lever_cezanne.deliveries import inbox, lease
from lever_cezanne.deliveries.sync import note_found_by_sync, webhook_also_arrived
from lever_cezanne.extensions import db
from lever_cezanne.integration.field_mapping import remember_offer_fields
from lever_cezanne.lever import users
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import (
    REAUTHORISE_MESSAGE,
    LeverAuthorisationError,
    LeverError,
    LeverNotFoundError,
    LeverTransientError,
)
from lever_cezanne.lever.hired import is_hired
from lever_cezanne.log_entries import add_log_entry, resolve_errors
from lever_cezanne.models import LeverIntegration, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    CAUSE_AUTHORISATION,
    HIRE_DATE_OFFER,
    LEVEL_WARNING,
    DeliverySource,
    DeliveryStatus,
)
from lever_cezanne.onboarding.after_hire import after_hire
from lever_cezanne.onboarding.job import field_map_for, map_job
from lever_cezanne.onboarding.mapping import MappingError, map_new_starter
from lever_cezanne.onboarding.names import NoNameError
from lever_cezanne.onboarding.offers import latest_signed_offer
from lever_cezanne.onboarding.rules import start_new_starter

log = logging.getLogger(__name__)
RETRY_NOW = "press Retry now on this row"


def _then_retry(message: str) -> str:
    return f"{message.rstrip('.')}, then press Retry now."


REAUTHORISE = _then_retry(REAUTHORISE_MESSAGE)  # the row a revoked integration's hire gets


class RetryLater(Exception):
    """A transient failure: run the job again after a backoff."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after or 0


class _Failed(Exception):
    """Stop this run: the delivery failed, with this message for the Log tab."""


def process_delivery(delivery_id: int, *, final_attempt: bool = True) -> str | None:
    """Process a Candidate Hired delivery; return its new status (None if nothing to do)."""
    delivery = inbox.claim(delivery_id)
    if delivery is None:
        log.info("delivery %s: finished or held by another job, skipped", delivery_id)
        return None
    log.info("delivery %s: attempt %s", delivery.id, delivery.attempts)
    with lease.held(delivery.id, delivery.attempts):
        return _run(delivery, final_attempt)


def _run(delivery: WebhookDelivery, final_attempt: bool) -> str:
    started = utcnow()  # this run's own Error rows are written after it
    try:
        return _process(delivery, started, final_attempt)
    except _Failed as exc:
        return inbox.fail(delivery, str(exc))
    except LeverAuthorisationError as exc:
        # Not authorised yet, or revoked: the error says which, and where to (re-)authorise.
        return inbox.fail(delivery, _then_retry(str(exc)), CAUSE_AUTHORISATION)
    except LeverNotFoundError:
        return inbox.fail(
            delivery,
            f"Opportunity {delivery.opportunity_id} not found in Lever: it may have been deleted "
            "or merged. Check the candidate in Lever; if they exist, move them to another stage "
            "and back to Hired.",
        )
    except (LeverTransientError, OperationalError) as exc:
        return _transient(delivery, exc, final_attempt)
    except LeverError as exc:
        return inbox.fail(
            delivery,
            f"Lever refused a request for this hire: {exc} When that is fixed, {RETRY_NOW}.",
        )
    except Exception:
        # A bug or unexpected data must not leave the hire silently "processing": retry it like a
        # transient failure, and after the last attempt say so on the Log tab.
        log.exception("delivery %s: unexpected error", delivery.id)
        return _unexpected(delivery, final_attempt)


def _unexpected(delivery: WebhookDelivery, final_attempt: bool) -> str:
    """Retry after an unexpected error, or after the last attempt fail with a clear row."""
    if final_attempt:
        return inbox.fail(
            delivery,
            "An unexpected problem stopped this hire. It has been logged for the operators; "
            f"{RETRY_NOW} to try again, and if it happens again, contact support.",
        )
    what = "An unexpected problem stopped this hire: it will be tried again."
    inbox.postpone(delivery, what)
    raise RetryLater(what)


def _transient(delivery: WebhookDelivery, exc: Exception, final_attempt: bool) -> str:
    """Retry later, or after the last attempt fail with a row that says how to retry."""
    what = "The database was unavailable."
    if isinstance(exc, LeverTransientError):
        what = exc.final_message if final_attempt else str(exc)
    if final_attempt:
        return inbox.fail(
            delivery,
            f"This hire could not be processed after {delivery.attempts} attempts: {what} "
            f"It will be tried again when you {RETRY_NOW}.",
        )
    inbox.postpone(delivery, what)
    # The one line of this retry: the client logged nothing, and RQ's traceback is filtered.
    cause = getattr(exc, "detail", None) or type(exc).__name__
    log.warning("delivery %s: transient failure (%s), will retry: %s", delivery.id, cause, what)
    raise RetryLater(what, getattr(exc, "retry_after", None)) from exc


# The delivery's integration read fresh (its token included), with the Default Company and the
# New Hire Administrator the steps read, in one query; built once, as every hire asks it.
_INTEGRATION = (
    select(LeverIntegration)
    .where(LeverIntegration.id == bindparam("integration"))
    .options(
        joinedload(LeverIntegration.default_company),
        joinedload(LeverIntegration.admin_user),
    )
    .execution_options(populate_existing=True)
)


def _load_integration(delivery: WebhookDelivery) -> LeverIntegration:
    return db.session.scalars(_INTEGRATION, {"integration": delivery.integration_id}).one()


def _read_offers(client: LeverClient, delivery: WebhookDelivery) -> list:
    """Read the hire's offers; new fields in them are remembered for the Field mapping tab's
    suggestions, committed before Lever is called again."""
    offers = client.get_offers(delivery.opportunity_id)
    if remember_offer_fields(delivery.integration_id, offers):
        db.session.commit()
    return offers


def _process(delivery: WebhookDelivery, started, final_attempt: bool = True) -> str:
    integration = _load_integration(delivery)
    if integration.deleted_at is not None:
        raise _Failed("This integration was deleted, so the hire was not processed.")
    if integration.is_paused:
        # Paused after this hire was queued: hold it for Resume, without calling Lever.
        log.info("delivery %s: integration paused, held", delivery.id)
        return inbox.hold(delivery)
    if not delivery.opportunity_id:
        raise _Failed(
            "The webhook from Lever named no valid opportunity id, so there was nothing to look "
            "up. Move the candidate to another stage in Lever and back to Hired."
        )
    synced = delivery.source == DeliverySource.SYNC
    if synced and webhook_also_arrived(delivery):
        log.info("delivery %s: the webhook for this hire arrived too", delivery.id)
        return inbox.finish(delivery, DeliveryStatus.COMPLETED)
    # A hire found by the catch-up sync is low priority: live webhooks' calls go first.
    client = LeverClient.for_loaded(integration, low_priority=synced)
    opportunity = client.get_opportunity(delivery.opportunity_id)
    if not is_hired(client, integration.id, opportunity):
        add_log_entry(
            integration.id,
            LEVEL_WARNING,
            f"Lever says {opportunity.get('name') or 'the candidate'} (opportunity "
            f"{delivery.opportunity_id}) is not hired, so nothing was created. If they were "
            "hired, archive them in Lever with a Hired reason.",
            delivery_id=delivery.id,
            opportunity_id=delivery.opportunity_id,
        )
        return inbox.finish(delivery, DeliveryStatus.COMPLETED)
    use_offer = integration.hire_date_source == HIRE_DATE_OFFER
    offers = _read_offers(client, delivery)
    sources = field_map_for(integration.field_map)
    timezone = current_app.config["TIMEZONE"]
    try:
        starter = map_new_starter(
            opportunity,
            offers,
            today=today_in(timezone),
            timezone=timezone,
            use_offer=use_offer,
            start_fields=sources["hire_date"],
        )
    except (NoNameError, MappingError) as exc:
        raise _Failed(
            f"The candidate in Lever (opportunity {delivery.opportunity_id}) cannot become a "
            f"person: {exc}. Complete the candidate in Lever, then {RETRY_NOW}."
        ) from exc
    starter.job = map_job(latest_signed_offer(offers), users.resolver(client), sources)
    outcome = start_new_starter(integration, delivery, starter)
    if synced:  # this delivery did the work: say the sync found it, unless the webhook came
        note_found_by_sync(delivery, opportunity.get("name"), outcome.person_id)
    if outcome.person_id:
        complete = not outcome.errors
        # Lever busy while fetching the Documents: LeverTransientError, retried like any call.
        after_hire(
            client,
            integration,
            delivery,
            outcome.person_id,
            offers,
            complete,
            final_attempt=final_attempt,
            new_person=outcome.created,
        )
        # The hire is in Cezanne HR: its earlier errors are resolved, with the outcome (their
        # rows stay locked only until its commit).
        resolve_errors(delivery.id, integration.id, delivery.opportunity_id, started)
    if not outcome.errors:
        return inbox.finish(delivery, DeliveryStatus.COMPLETED)
    status = DeliveryStatus.PARTIAL if outcome.person_id else DeliveryStatus.FAILED
    errors = counted(outcome.errors, "error")
    return inbox.finish(delivery, status, f"{errors}: see the Error rows above.")
