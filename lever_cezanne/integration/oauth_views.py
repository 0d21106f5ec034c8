"""Administrators: send the browser to Lever to authorise, and take Lever's reply."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from lever_cezanne.deliveries.sync import latest_run
from lever_cezanne.extensions import db
from lever_cezanne.integration import authorisation, setup_bp
from lever_cezanne.integration.forms import ButtonForm
from lever_cezanne.integration.services import last_webhook_received
from lever_cezanne.integration.views import load_integration_or_404
from lever_cezanne.lever import scopes as lever_scopes


@setup_bp.route("/<int:integration_id>/authorise", methods=["GET", "POST"])
def integration_authorise(integration_id: int):
    """Confirm, then redirect to Lever's consent screen (also Re-authorise)."""
    integration = load_integration_or_404(integration_id)
    form = ButtonForm()
    if form.validate_on_submit():
        return redirect(authorisation.begin(integration))
    return render_template(
        "integration/authorise.html",
        integration=integration,
        form=form,
        missing=lever_scopes.missing(integration),
    )


@setup_bp.route("/oauth/callback")
def oauth_callback():
    """Take Lever's reply: store the tokens, or say why the authorisation failed."""
    try:
        pending = authorisation.take_pending(request.args)
    except authorisation.AuthorisationFailed as exc:
        flash(str(exc), "error")
        if exc.integration_id is None:
            return redirect(url_for("integration.integrations_index"))
        return redirect(url_for(".integration_edit", integration_id=exc.integration_id))
    integration = load_integration_or_404(pending["integration_id"])
    try:
        authorisation.complete(integration, request.args, pending["redirect_uri"], current_user)
        flash(_authorised_message(integration.id), "success")
        if latest_run(integration.id) is None:  # the first authorisation: offer the import
            flash(
                "Hires made in Lever before now are not sent again: to bring them in, use "
                "Import hires made since under Catch-up sync below.",
                "info",
            )
    except authorisation.AuthorisationFailed as exc:
        flash(str(exc), "error")
    db.session.commit()
    return redirect(url_for(".integration_edit", integration_id=integration.id))


def _authorised_message(integration_id: int) -> str:
    """Say the authorisation worked, and what is still to do in Lever before hires arrive."""
    if last_webhook_received(integration_id):
        return "Lever is authorised: candidates marked Hired in Lever will now reach Cezanne HR."
    return (
        "Lever is authorised. Still to do in Lever: under Settings › Integrations and API › "
        "Webhooks, switch on Candidate Hired and add the webhook URL shown below. Hires reach "
        "Cezanne HR once Lever sends that webhook."
    )
