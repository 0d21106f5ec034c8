"""Administrators act on an Error row: Retry now (unless it cannot succeed yet) and Acknowledge."""

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lever_cezanne import deliveries
from lever_cezanne.core.text import counted
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.integration import setup_bp
from lever_cezanne.integration.forms import AcknowledgeForm, ButtonForm
from lever_cezanne.integration.retry import Blocker, retry_blocker
from lever_cezanne.integration.retry_all import (
    RETRYABLE,
    Progress,
    count_failed,
    latest_progress,
    progress_of,
    start_retry_all,
)
from lever_cezanne.integration.state import setting_warnings
from lever_cezanne.integration.views import load_integration_or_404
from lever_cezanne.log_entries import acknowledge_error
from lever_cezanne.models import LeverIntegration, LogEntry, RetryRun, WebhookDelivery
from lever_cezanne.models.integration import LEVEL_ERROR


def open_causes(delivery_id: int) -> set[str]:
    """Return the causes of a delivery's open Error rows."""
    return set(
        db.session.scalars(
            select(LogEntry.cause).where(
                LogEntry.delivery_id == delivery_id,
                LogEntry.level == LEVEL_ERROR,
                LogEntry.resolved_at.is_(None),
                LogEntry.cause.is_not(None),
            )
        )
    )


def _blocker(integration: LeverIntegration, causes: set[str]) -> Blocker | None:
    # The settings' warnings are read once per request, however many rows the page shows.
    cache = request.environ.setdefault("lever_cezanne.setting_warnings", {})
    if integration.id not in cache:
        cache[integration.id] = setting_warnings(integration)
    return retry_blocker(integration, causes, cache[integration.id])


@setup_bp.app_template_global()
def error_action(entry: LogEntry, integration: LeverIntegration) -> tuple[str, Blocker | None]:
    """Say what an open Error row offers: ("retry", None), ("fix", blocker) or ("", None)."""
    delivery = entry.delivery
    if not entry.is_open_error or delivery is None or delivery.status not in RETRYABLE:
        return "", None
    blocker = _blocker(integration, {entry.cause} - {None})
    return ("fix", blocker) if blocker else ("retry", None)


def _back(integration_id: int):
    return redirect(url_for("integration.integration_log", integration_id=integration_id))


@setup_bp.post("/<int:integration_id>/deliveries/<int:delivery_id>/retry")
def delivery_retry(integration_id: int, delivery_id: int):
    """Process a failed or partial delivery again, unless it cannot succeed yet."""
    integration = load_integration_or_404(integration_id)
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.integration_id != integration.id:
        abort(404)
    if delivery.status not in RETRYABLE:
        flash("This hire has not failed, so there is nothing to retry.", "info")
        return _back(integration_id)
    blocker = _blocker(integration, open_causes(delivery.id))
    if blocker:  # refused before anything runs, so no new Error row is written
        flash(f"Not retried: {blocker.reason}", "error")
        return _back(integration_id)
    deliveries.retry(delivery)
    app = current_app._get_current_object()
    if deliveries.start_soon(app, delivery.id, attempt=delivery.attempts + 1):
        flash("Retrying now. The outcome appears on this log in a moment.", "success")
    else:
        flash(
            "The job queue is unavailable, so the retry will start within a few minutes.",
            "warning",
        )
    return _back(integration_id)


@setup_bp.post("/<int:integration_id>/log/<int:entry_id>/acknowledge")
def error_acknowledge(integration_id: int, entry_id: int):
    """Acknowledge an Error row, with an optional note: it leaves the open count."""
    integration = load_integration_or_404(integration_id)
    entry = db.get_or_404(LogEntry, entry_id)
    if entry.integration_id != integration.id or entry.level != LEVEL_ERROR:
        abort(404)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        for message in form.note.errors or ["The form expired: try again."]:
            flash(message, "error")
    elif not entry.is_open_error:
        flash("This error was already resolved or acknowledged.", "info")
    else:
        acknowledge_error(entry, current_user, form.note.data or "")
        db.session.commit()
        flash("Error acknowledged: it no longer counts as open.", "success")
    return _back(integration_id)


@setup_bp.app_template_global()
def retry_all_status(integration: LeverIntegration) -> tuple[int, Progress | None]:
    """Give the Log tab how many hires failed and the latest Retry all failed's progress."""
    return count_failed(integration.id), latest_progress(integration.id)


@setup_bp.post("/<int:integration_id>/retry-all")
def integration_retry_all(integration_id: int):
    """Retry every failed hire whose cause is gone, in the background."""
    integration = load_integration_or_404(integration_id)
    if ButtonForm().validate_on_submit():
        try:
            run, ids = start_retry_all(integration, current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _back(integration_id)
        db.session.commit()
        app = current_app._get_current_object()
        for delivery_id in ids:  # after the commit, so each job finds its row
            deliveries.start_soon(app, delivery_id)
        skipped = f" {run.skipped} skipped: their cause is still there." if run.skipped else ""
        flash(
            f"Retrying {counted(run.total, 'failed hire')} in the background.{skipped}", "success"
        )
    return _back(integration_id)


@setup_bp.get("/<int:integration_id>/retry-runs/<int:run_id>")
def retry_run_progress(integration_id: int, run_id: int):
    """Answer a Retry all failed run's progress as JSON, for the Log tab to update itself."""
    run = db.get_or_404(RetryRun, run_id)
    if run.integration_id != integration_id:
        abort(404)
    return jsonify(progress_of(run).as_json())
