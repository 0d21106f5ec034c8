"""Pause and Resume: while paused, webhooks are stored and held; Resume processes them in order.

Services flush, never commit; the caller enqueues the released deliveries after its commit.
"""

from sqlalchemy import select, update

from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, User, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DELIVERY_HELD, DELIVERY_RECEIVED


def pause(integration: LeverIntegration, user: User) -> None:
    """Hold every new webhook unprocessed until Resume; Lever is not called meanwhile."""
    if integration.paused_at is None:
        integration.paused_at = utcnow()
        integration.paused_by = user
    db.session.flush()


def release_held(integration_id: int) -> list[int]:
    """Move the integration's held deliveries back to received; return their ids, oldest first."""
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.status == DELIVERY_HELD,
            )
            .order_by(WebhookDelivery.triggered_at, WebhookDelivery.id)
        )
    )
    if ids:
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.status == DELIVERY_HELD)
            .values(status=DELIVERY_RECEIVED, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids


def resume(integration: LeverIntegration) -> list[int]:
    """Process webhooks again; return the held deliveries to enqueue, in Lever's order."""
    integration.paused_at = None
    integration.paused_by = None
    db.session.flush()
    return release_held(integration.id)
