"""The integration list and each integration's page, for every signed-in HR Professional."""

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from lever_cezanne.core.lookups import get_live_or_404
from lever_cezanne.extensions import db
from lever_cezanne.integration import bp
from lever_cezanne.integration.activity import activity_of, count_held
from lever_cezanne.integration.services import webhook_url
from lever_cezanne.integration.state import (
    IntegrationState,
    SettingWarning,
    integration_state,
    setting_warnings,
)
from lever_cezanne.models import LeverIntegration


@bp.app_template_filter("integration_state")
def integration_state_filter(integration: LeverIntegration) -> IntegrationState:
    """Give templates an integration's state: label, badge class and why."""
    return integration_state(integration, activity_of(integration.id))


@bp.app_template_filter("setting_warnings")
def setting_warnings_filter(integration: LeverIntegration) -> list[SettingWarning]:
    """Give templates what is wrong with an integration's settings now."""
    return setting_warnings(integration)


@bp.app_template_filter("held_deliveries")
def held_deliveries_filter(integration: LeverIntegration) -> int:
    """Give templates how many webhooks wait, held, for Resume."""
    return count_held(integration.id)


def load_integration_or_404(integration_id: int) -> LeverIntegration:
    """Return an integration that is not deleted, or answer 404."""
    return get_live_or_404(LeverIntegration, integration_id)


@bp.route("/")
def integrations_index():
    """List Lever integrations with their status."""
    integrations = db.session.scalars(
        select(LeverIntegration)
        .where(LeverIntegration.deleted_at.is_(None))
        .order_by(LeverIntegration.subdomain)
    ).all()
    return render_template("integration/index.html", integrations=integrations)


@bp.route("/<int:integration_id>")
def integration_details(integration_id: int):
    """Show the Details tab: the form for Administrators, a read-only summary for others."""
    integration = load_integration_or_404(integration_id)
    if current_user.is_administrator:
        return redirect(
            url_for("integration_setup.integration_edit", integration_id=integration.id)
        )
    return render_template(
        "integration/details.html",
        integration=integration,
        webhook_url=webhook_url(integration.subdomain),
    )
