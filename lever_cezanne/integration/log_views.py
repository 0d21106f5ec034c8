"""The Log tab of a Lever integration: browse, search, export, and retry a failed delivery."""

from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    render_template,
    request,
    stream_with_context,
)
from flask_login import current_user
from sqlalchemy import select

from lever_cezanne.core.dates import today_in
from lever_cezanne.deliveries.inbox import RETRYABLE
from lever_cezanne.extensions import db
from lever_cezanne.integration import bp
from lever_cezanne.integration.log_export import csv_lines
from lever_cezanne.integration.log_query import LogFilter, log_page, rows_for_export
from lever_cezanne.models import LeverIntegration, WebhookDelivery
from lever_cezanne.models.integration import LEVELS
from lever_cezanne.onboarding.mapping import LEVER_CANDIDATE_URL

LEVEL_BADGES = {"information": "badge-info", "warning": "badge-warning", "error": "badge-error"}


def _opportunity_url(entry) -> str | None:
    """Link to the opportunity in Lever: the person's stored link, else Lever's candidate page."""
    if not entry.opportunity_id:
        return None
    person = entry.person
    same = person is not None and person.lever_opportunity_id == entry.opportunity_id
    if same and person.lever_opportunity_url:
        return person.lever_opportunity_url
    return LEVER_CANDIDATE_URL.format(quote(entry.opportunity_id, safe=""))


@bp.route("/<int:integration_id>/log")
def integration_log(integration_id: int):
    """Show the integration's log, newest first, filtered and searched."""
    integration = db.get_or_404(LeverIntegration, integration_id)
    log_filter = LogFilter.from_args(request.args)
    for message in log_filter.errors:
        flash(message, "error")
    page = log_page(integration.id, log_filter, request.args, current_app.config["TIMEZONE"])
    return render_template(
        "integration/log.html",
        integration=integration,
        page=page,
        log_filter=log_filter,
        levels=LEVELS,
        badges=LEVEL_BADGES,
        zone=ZoneInfo(current_app.config["TIMEZONE"]),
        person_links="people.person_show" in current_app.view_functions,
        can_retry=current_user.is_administrator,
        retryable=RETRYABLE,
        opportunity_url=_opportunity_url,
    )


@bp.get("/<int:integration_id>/deliveries/<int:delivery_id>/payload")
def delivery_payload(integration_id: int, delivery_id: int):
    """Return what was kept of a delivery's body, compact, for the Log tab to show on demand."""
    payload = db.session.scalar(
        select(WebhookDelivery.payload).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.integration_id == integration_id
        )
    )
    if payload is None:
        abort(404)
    # Stored as compact ASCII JSON (json.dumps' escapes), so it is sent as it is.
    return Response(payload, mimetype="application/json")


@bp.route("/<int:integration_id>/log.csv")
def integration_log_csv(integration_id: int):
    """Download the filtered log as CSV."""
    integration = db.get_or_404(LeverIntegration, integration_id)
    log_filter = LogFilter.from_args(request.args)
    days = {"from": log_filter.date_from, "to": log_filter.date_to}
    if any(request.args.get(name) and day is None for name, day in days.items()):
        # A file without the dates asked for would mislead: say why instead.
        return Response(
            " ".join(log_filter.errors) + " Nothing was downloaded: correct the filter on the Log "
            "tab and download again.\n",
            status=400,
            mimetype="text/plain",
        )
    timezone = current_app.config["TIMEZONE"]
    lines = csv_lines(rows_for_export(integration.id, log_filter, timezone), timezone)
    filename = f"lever-{integration.subdomain}-log-{today_in(timezone).isoformat()}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
