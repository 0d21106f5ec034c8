"""Retry all failed: retry every failed hire of an integration whose cause is gone, with progress.

Services flush, never commit; the caller enqueues the returned deliveries after its commit.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.deliveries import inbox
from lever_cezanne.deliveries.inbox import RETRYABLE
from lever_cezanne.extensions import db
from lever_cezanne.integration.retry import retry_blocker
from lever_cezanne.integration.state import setting_warnings
from lever_cezanne.models import LeverIntegration, LogEntry, RetryRun, User, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DELIVERY_UNFINISHED, LEVEL_ERROR, DeliveryStatus

SHOW_FINISHED_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class Progress:
    run: RetryRun
    done: int
    completed: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.done >= self.run.total

    @property
    def text(self) -> str:
        """The progress as the Log tab says it, the same on the page and in its JSON."""
        skipped = f", {self.run.skipped} skipped (cause still there)" if self.run.skipped else ""
        return (
            f"{self.done} of {self.run.total} done — {self.completed} completed, "
            f"{self.failed} failed again{skipped}{'.' if self.finished else '…'}"
        )

    def as_json(self) -> dict:
        return {
            "total": self.run.total,
            "done": self.done,
            "completed": self.completed,
            "failed": self.failed,
            "skipped": self.run.skipped,
            "finished": self.finished,
            "text": self.text,
        }


def count_failed(integration_id: int) -> int:
    """Count the integration's failed and partial hires."""
    query = select(func.count()).where(
        WebhookDelivery.integration_id == integration_id, WebhookDelivery.status.in_(RETRYABLE)
    )
    return db.session.scalar(query) or 0


def _causes_by_delivery(ids: list[int]) -> dict[int, set[str]]:
    rows = db.session.execute(
        select(LogEntry.delivery_id, LogEntry.cause).where(
            LogEntry.delivery_id.in_(ids),
            LogEntry.level == LEVEL_ERROR,
            LogEntry.resolved_at.is_(None),
            LogEntry.cause.is_not(None),
        )
    )
    causes: dict[int, set[str]] = {}
    for delivery_id, cause in rows:
        causes.setdefault(delivery_id, set()).add(cause)
    return causes


def start_retry_all(integration: LeverIntegration, user: User) -> tuple[RetryRun, list[int]]:
    """Put every failed hire that can succeed now back in the inbox; return the run and its ids."""
    warnings = setting_warnings(integration)
    blocker = retry_blocker(integration, set(), warnings)
    if blocker:
        raise ValidationError(f"Not retried: {blocker.reason}")
    failed = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.integration_id == integration.id,
                WebhookDelivery.status.in_(RETRYABLE),
            )
            .order_by(WebhookDelivery.triggered_at, WebhookDelivery.id)
        )
    )
    if not failed:
        raise ValidationError("No failed hires to retry.")
    causes = _causes_by_delivery(failed)
    ids = [i for i in failed if not retry_blocker(integration, causes.get(i, set()), warnings)]
    inbox.reopen_failed(ids)
    run = RetryRun(
        integration_id=integration.id,
        started_by=user,
        delivery_ids=json.dumps(ids),
        total=len(ids),
        skipped=len(failed) - len(ids),
    )
    db.session.add(run)
    db.session.flush()
    return run, ids


def progress_of(run: RetryRun) -> Progress:
    """Count how many of the run's hires are done, and how they ended."""
    ids = json.loads(run.delivery_ids)
    statuses = db.session.scalars(
        select(WebhookDelivery.status).where(WebhookDelivery.id.in_(ids))
    ).all()
    done = sum(status not in DELIVERY_UNFINISHED for status in statuses)
    completed = sum(status == DeliveryStatus.COMPLETED for status in statuses)
    return Progress(run, done, completed, done - completed)


def latest_progress(integration_id: int) -> Progress | None:
    """Return the latest run's progress while it runs, or for an hour after it started."""
    run = db.session.scalar(
        select(RetryRun)
        .where(RetryRun.integration_id == integration_id)
        .order_by(RetryRun.id.desc())
        .limit(1)
    )
    if run is None:
        return None
    progress = progress_of(run)
    if progress.finished and run.started_at < utcnow() - SHOW_FINISHED_FOR:
        return None
    return progress
