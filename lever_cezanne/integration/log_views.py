"""The Log tab of a Lever integration."""

from flask import render_template
from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.integration import bp
from lever_cezanne.models import LeverIntegration, LogEntry


@bp.route("/<int:integration_id>/log")
def integration_log(integration_id: int):
    """Show the integration's log, newest first."""
    integration = db.get_or_404(LeverIntegration, integration_id)
    entries = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.integration_id == integration.id)
        .order_by(LogEntry.id.desc())
        .limit(50)
    ).all()
    return render_template("integration/log.html", integration=integration, entries=entries)
