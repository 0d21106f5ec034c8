"""The catch-up sync on the Details tab: its last run and next one, Sync now, and the import of
past hires (Import hires made since [date]), with progress."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, current_app, flash, jsonify, redirect, url_for
from flask_login import current_user
from redis.exceptions import RedisError

from lever_cezanne.deliveries import sync, sync_jobs
from lever_cezanne.extensions import db
from lever_cezanne.integration import bp, setup_bp
from lever_cezanne.integration.forms import ButtonForm, ImportForm
from lever_cezanne.integration.views import load_integration_or_404
from lever_cezanne.models import LeverIntegration, SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_AUTHORISED, SyncKind
from lever_cezanne.models.integration import SyncStatus as RunStatus

IMPORT_DAYS = 30


@dataclass(frozen=True)
class SyncStatus:
    latest: SyncRun | None
    last_success: SyncRun | None
    running: SyncRun | None
    next_run: datetime | None
    why_not: str | None  # why no periodic sync runs now


def _next_run(integration: LeverIntegration, latest: SyncRun | None) -> datetime | None:
    every = int(current_app.config.get("SYNC_INTERVAL", sync_jobs.SYNC_EVERY))
    if not every:
        return None
    return (latest.started_at if latest else utcnow()) + timedelta(seconds=every)


def _why_not(integration: LeverIntegration) -> str | None:
    if current_app.config.get("SYNC_INTERVAL", sync_jobs.SYNC_EVERY) == 0:
        return "The periodic sync is turned off (SYNC_INTERVAL=0)."
    if integration.is_paused:
        return "Paused: no sync runs until you press Resume."
    if integration.auth_status != AUTH_AUTHORISED:
        return "No sync runs until Lever access is authorised."
    return None


@setup_bp.app_template_global()
def sync_status(integration: LeverIntegration) -> SyncStatus:
    """Give the Details tab the catch-up sync's last run, the one running and the next one."""
    latest = sync.latest_run(integration.id)
    why_not = _why_not(integration)
    return SyncStatus(
        latest=latest,
        last_success=sync.last_success(integration.id),
        running=sync_jobs.running(integration.id),
        next_run=None if why_not else _next_run(integration, latest),
        why_not=why_not,
    )


@setup_bp.app_template_global()
def sync_progress_text(run: SyncRun) -> str:
    """What a sync has done so far; once it has ended, how it ended."""
    if run.status == RunStatus.SUCCEEDED:
        return f"finished. {run.message}"
    if run.status == RunStatus.FAILED:
        return f"failed. {run.message}"
    if run.total is None:
        return "reading the list from Lever…"
    hires = "hire" if run.stored == 1 else "hires"
    return f"{run.seen} of {run.total} opportunities seen, {run.stored} {hires} stored…"


@bp.get("/<int:integration_id>/sync-runs/<int:run_id>")
def sync_run_progress(integration_id: int, run_id: int):
    """Answer a sync's progress as JSON, for the Details tab to update itself while it runs."""
    integration = load_integration_or_404(integration_id)
    run = db.get_or_404(SyncRun, run_id)
    if run.integration_id != integration.id:
        abort(404)
    return jsonify(
        {
            "status": run.status,
            "finished": run.status != RunStatus.RUNNING,
            "total": run.total,
            "seen": run.seen,
            "stored": run.stored,
            "skipped": run.skipped,
            "text": sync_progress_text(run),
        }
    )


@setup_bp.app_template_global()
def import_form() -> ImportForm:
    """The import form, with the default day: 30 days ago."""
    return ImportForm(data={"since": utcnow().date() - timedelta(days=IMPORT_DAYS)})


def _refusal(integration: LeverIntegration) -> str | None:
    if integration.is_paused:
        return "This integration is paused, so Lever is not called: Resume it first."
    if integration.auth_status != AUTH_AUTHORISED:
        return "Lever access is not authorised: Authorise (or Re-authorise) first."
    if sync_jobs.running(integration.id) is not None:
        return "A sync is already running: its progress is shown below."
    return None


def _start(integration: LeverIntegration, kind: SyncKind, since) -> bool:
    refusal = _refusal(integration)
    if refusal:
        flash(refusal, "error")
        return False
    try:
        sync_jobs.begin(integration, kind, since, current_user)
    except (RedisError, OSError):
        db.session.rollback()
        flash("The job queue is unreachable, so the sync did not start: try again.", "error")
        return False
    return True


def _back(integration_id: int):
    return redirect(
        url_for(".integration_edit", integration_id=integration_id, _anchor="sync-heading")
    )


@setup_bp.post("/<int:integration_id>/sync")
def integration_sync(integration_id: int):
    """Sync now: look in Lever for hires no webhook brought since the last successful sync."""
    integration = load_integration_or_404(integration_id)
    if ButtonForm().validate_on_submit():
        since = sync.catch_up_since(integration)
        if _start(integration, SyncKind.MANUAL, since):
            flash("Sync started: hires Lever made that no webhook brought will appear.", "success")
    return _back(integration_id)


@setup_bp.post("/<int:integration_id>/import")
def integration_import(integration_id: int):
    """Import hires made since a day, in the background."""
    integration = load_integration_or_404(integration_id)
    form = ImportForm()
    if not form.validate_on_submit():
        for error in form.since.errors:
            flash(error, "error")
        return _back(integration_id)
    if _start(integration, SyncKind.BACKFILL, sync.start_of(form.since.data)):
        flash(
            f"Importing hires made since {form.since.data:%d %B %Y}: progress is shown below.",
            "success",
        )
    return _back(integration_id)
