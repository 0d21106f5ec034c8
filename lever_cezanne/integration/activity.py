"""What the app has seen of each integration: webhooks, hires, open errors, waiting deliveries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from lever_cezanne.extensions import db
from lever_cezanne.integration.state import SILENCE_DAYS, Activity
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    DELIVERY_UNFINISHED,
    LEVEL_ERROR,
    DeliverySource,
    DeliveryStatus,
)

SILENCE = timedelta(days=SILENCE_DAYS)  # no webhook this long while the sync finds hires


@dataclass(frozen=True)
class HealthFigures:
    """The health view's figures for one integration."""

    activity: Activity
    last_hire_at: datetime | None
    hires_7_days: int
    hires_30_days: int
    waiting: int  # received, queued or being processed: on their way
    found_by_sync_30_days: int  # hires only the catch-up sync found (their webhook never came)


def open_errors_query(integration_id: int):
    """Return the SELECT of the integration's Error rows nobody has resolved or acknowledged."""
    return select(LogEntry).where(
        LogEntry.integration_id == integration_id,
        LogEntry.level == LEVEL_ERROR,
        LogEntry.resolved_at.is_(None),
        LogEntry.acknowledged_at.is_(None),
    )


def count_open_errors(integration_id: int) -> int:
    """Count the integration's open Error rows."""
    query = open_errors_query(integration_id).with_only_columns(func.count())
    return db.session.scalar(query) or 0


def _count(integration_id: int, *statuses: str) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.status.in_(statuses),
            )
        )
        or 0
    )


def count_held(integration_id: int) -> int:
    """Count the deliveries held while the integration is paused."""
    return _count(integration_id, DeliveryStatus.HELD)


def _last_received(integration_id: int, source: DeliverySource) -> datetime | None:
    return db.session.scalar(
        select(func.max(WebhookDelivery.received_at)).where(
            WebhookDelivery.integration_id == integration_id,
            WebhookDelivery.source == source,
        )
    )


def found_by_sync_since(integration_id: int, since: datetime) -> int:
    """Count the hires the catch-up sync found (stored) since a moment."""
    return (
        db.session.scalar(
            select(func.count()).where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.source == DeliverySource.SYNC,
                WebhookDelivery.received_at >= since,
            )
        )
        or 0
    )


def activity_of(integration_id: int) -> Activity:
    """Return what the state needs: last webhook, open errors, held deliveries, and whether the
    sync keeps finding hires while no webhook arrives."""
    last_webhook = _last_received(integration_id, DeliverySource.WEBHOOK)
    silent_since = utcnow() - SILENCE
    silent = last_webhook is None or last_webhook < silent_since
    return Activity(
        last_webhook_at=last_webhook,
        open_errors=count_open_errors(integration_id),
        held=count_held(integration_id),
        found_while_silent=found_by_sync_since(integration_id, silent_since) if silent else 0,
    )


def _hires(integration_id: int):
    """Completed deliveries that reached a person: the hires this integration made."""
    reached_person = exists().where(
        LogEntry.delivery_id == WebhookDelivery.id, LogEntry.person_id.is_not(None)
    )
    return select(WebhookDelivery.completed_at).where(
        WebhookDelivery.integration_id == integration_id,
        WebhookDelivery.status.in_((DeliveryStatus.COMPLETED, DeliveryStatus.PARTIAL)),
        reached_person,
    )


def health_figures(integration_id: int) -> HealthFigures:
    """Return everything the health view shows about one integration."""
    now = utcnow()
    hires = _hires(integration_id).subquery()
    last_hire, in_7, in_30 = db.session.execute(
        select(
            func.max(hires.c.completed_at),
            func.count().filter(hires.c.completed_at >= now - timedelta(days=7)),
            func.count().filter(hires.c.completed_at >= now - timedelta(days=30)),
        )
    ).one()
    return HealthFigures(
        activity=activity_of(integration_id),
        last_hire_at=last_hire,
        hires_7_days=in_7 or 0,
        hires_30_days=in_30 or 0,
        waiting=_count(integration_id, *DELIVERY_UNFINISHED),
        found_by_sync_30_days=found_by_sync_since(integration_id, now - timedelta(days=30)),
    )
