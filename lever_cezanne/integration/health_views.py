"""The Administrator's home: every integration's state, activity, open errors and warnings."""

from flask import render_template
from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.integration import setup_bp
from lever_cezanne.integration.activity import health_figures
from lever_cezanne.integration.state import (
    activity_warnings,
    integration_state,
    setting_warnings,
)
from lever_cezanne.models import LeverIntegration


@setup_bp.route("/health")
def integrations_health():
    """Show each integration's health at a glance."""
    integrations = db.session.scalars(
        select(LeverIntegration)
        .where(LeverIntegration.deleted_at.is_(None))
        .order_by(LeverIntegration.subdomain)
    ).all()
    rows = []
    for integration in integrations:
        figures = health_figures(integration.id)
        warnings = setting_warnings(integration)
        state = integration_state(integration, figures.activity, warnings)
        warnings += activity_warnings(integration, figures.activity)
        rows.append((integration, state, figures, warnings))
    return render_template("integration/health.html", rows=rows)
