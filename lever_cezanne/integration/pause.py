"""Pause and Resume: while paused, webhooks are stored and held; Resume processes them in order.

Services flush, never commit; the caller enqueues the released deliveries after its commit.
"""

from lever_cezanne.deliveries import after_approval, inbox
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, User
from lever_cezanne.models.base import utcnow


def pause(integration: LeverIntegration, user: User) -> None:
    """Hold every new webhook unprocessed until Resume; Lever is not called meanwhile."""
    if integration.paused_at is None:
        integration.paused_at = utcnow()
        integration.paused_by = user
    db.session.flush()


def resume(integration: LeverIntegration) -> tuple[list[int], list[tuple[int, bool]]]:
    """Process webhooks again; return the held deliveries to enqueue, in Lever's order, and the
    approved hires whose Documents and note waited, to start (after_approval.waiting_for_resume)."""
    integration.paused_at = None
    integration.paused_by = None
    db.session.flush()  # the row's lock: an approval job deciding to wait has decided
    return inbox.release_held(integration.id), after_approval.waiting_for_resume(integration.id)
