"""Integration list."""

from flask import render_template
from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.integration import bp
from lever_cezanne.models import LeverIntegration


@bp.route("/")
def integrations_index():
    """List Lever integrations with their status."""
    integrations = db.session.scalars(
        select(LeverIntegration)
        .where(LeverIntegration.deleted_at.is_(None))
        .order_by(LeverIntegration.subdomain)
    ).all()
    return render_template("integration/index.html", integrations=integrations)
