"""Pause and Resume: while paused, webhooks are stored and held; Resume processes them in order.

Services flush, never commit; the caller enqueues the released deliveries after its commit.
"""

from lever_cezanne.deliveries import inbox
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, User
from lever_cezanne.models.base import utcnow


def pause(integration: LeverIntegration, user: User) -> None:
    """Hold every new webhook unprocessed until Resume; Lever is not called meanwhile."""
    if integration.paused_at is None:
        integration.paused_at = utcnow()
        integration.paused_by = user
    db.session.flush()


def resume(integration: LeverIntegration) -> list[int]:
    """Process webhooks again; return the held deliveries to enqueue, in Lever's order."""
    integration.paused_at = None
    integration.paused_by = None
    db.session.flush()
    return inbox.release_held(integration.id)
