"""Administrators: add and edit an integration's Details, and its action buttons."""

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from lever_cezanne import deliveries
from lever_cezanne.core.text import counted
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.deliveries import after_approval
from lever_cezanne.extensions import db
from lever_cezanne.integration import services, setup_bp
from lever_cezanne.integration.forms import ButtonForm, DetailsForm
from lever_cezanne.integration.health import check_connection
from lever_cezanne.integration.pause import pause, resume
from lever_cezanne.integration.views import load_integration_or_404
from lever_cezanne.mail.addresses import listed
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import AUTH_AUTHORISED

WEBHOOK_PLACEHOLDER = "YOUR_SUBDOMAIN"


def _details(form: DetailsForm) -> services.Details:
    return services.Details(
        subdomain=form.subdomain.data,
        signature_token=form.signature_token.data,
        admin_user=form.admin_username.user,
        default_company=form.company_code.company,
        hire_date_source=form.hire_date_source.data,
        alert_emails=tuple(form.alert_emails.addresses),
        review_hires=form.review_hires.data,
        write_back_notes=form.write_back_notes.data,
    )


def _save(form: DetailsForm, integration: LeverIntegration | None) -> LeverIntegration | None:
    """Save the form's details and commit; on a refusal, show it on the form and return None."""
    try:
        saved = services.save_details(integration, _details(form))
    except ValidationError as exc:
        db.session.rollback()
        form.subdomain.errors = [*form.subdomain.errors, str(exc)]
        return None
    db.session.commit()
    return saved


def _render_form(form: DetailsForm, integration: LeverIntegration | None):
    saved = integration.subdomain if integration else None
    response = make_response(
        render_template(
            "integration/form.html",
            form=form,
            integration=integration,
            webhook_url=services.webhook_url(saved or WEBHOOK_PLACEHOLDER),
            webhook_base=services.webhook_url(""),
            placeholder=WEBHOOK_PLACEHOLDER,
            last_webhook=services.last_webhook_received(integration.id) if integration else None,
        )
    )
    # A refused form echoes the typed Signature Token (masked): keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@setup_bp.route("/new", methods=["GET", "POST"])
def integration_new():
    """Add a Lever integration, then go on to authorise it."""
    form = DetailsForm()
    if form.validate_on_submit() and (integration := _save(form, None)):
        flash(f"Lever integration '{integration.subdomain}' saved.", "success")
        return redirect(url_for(".integration_authorise", integration_id=integration.id))
    return _render_form(form, None)


@setup_bp.route("/<int:integration_id>/details", methods=["GET", "POST"])
def integration_edit(integration_id: int):
    """Show and change an integration's Details."""
    integration = load_integration_or_404(integration_id)
    old_subdomain = integration.subdomain
    initial = {
        "subdomain": integration.subdomain,
        "admin_username": integration.admin_user.username if integration.admin_user else "",
        "company_code": integration.default_company.code if integration.default_company else "",
        "hire_date_source": integration.hire_date_source,
        "alert_emails": ", ".join(listed(integration.alert_emails)),
        "review_hires": integration.review_hires,
        "write_back_notes": integration.write_back_notes,
    }
    form = DetailsForm(data=initial, integration=integration)
    if form.validate_on_submit() and _save(form, integration):
        flash("Details saved.", "success")
        if integration.subdomain != old_subdomain:
            flash("The webhook URL has changed: update it in Lever to the one below.", "warning")
        if integration.auth_status != AUTH_AUTHORISED:
            return redirect(url_for(".integration_authorise", integration_id=integration.id))
        return redirect(url_for(".integration_edit", integration_id=integration.id))
    return _render_form(form, integration)


@setup_bp.post("/<int:integration_id>/test")
def integration_test(integration_id: int):
    """Make a cheap call to Lever and say whether the connection works."""
    integration = load_integration_or_404(integration_id)
    if ButtonForm().validate_on_submit():
        if integration.is_paused:
            flash("This integration is paused, so Lever is not called: Resume it first.", "error")
        else:
            ok, message = check_connection(integration.id)
            flash(message, "success" if ok else "error")
    return redirect(url_for(".integration_edit", integration_id=integration_id))


@setup_bp.route("/<int:integration_id>/pause", methods=["GET", "POST"])
def integration_pause(integration_id: int):
    """Ask, then pause: webhooks are still accepted and stored, but held until Resume."""
    integration = load_integration_or_404(integration_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template(
            "integration/confirm.html", integration=integration, form=form, action="pause"
        )
    if not integration.is_paused:
        pause(integration, current_user)
        db.session.commit()
        flash(
            "Paused: Lever's webhooks are still accepted and kept, but no hire is processed and "
            "Lever is not called until you press Resume.",
            "success",
        )
    return redirect(url_for(".integration_edit", integration_id=integration_id))


@setup_bp.post("/<int:integration_id>/resume")
def integration_resume(integration_id: int):
    """Resume: process the held webhooks, in the order Lever sent them."""
    integration = load_integration_or_404(integration_id)
    if ButtonForm().validate_on_submit():
        released, approved = resume(integration)
        db.session.commit()
        app = current_app._get_current_object()
        for delivery_id in released:  # after the commit, so each job finds its row
            deliveries.start_soon(app, delivery_id)
        for pending_id, complete in approved:
            after_approval.start_soon(app, pending_id, complete)
        message = f"Resumed: processing {counted(len(released), 'held webhook')}, in order."
        if approved:
            message += (
                f" Fetching the Documents of {counted(len(approved), 'hire')} approved while "
                "paused, and sending their notes to Lever where that option is on."
            )
        flash(message, "success")
    return redirect(url_for(".integration_edit", integration_id=integration_id))


@setup_bp.route("/<int:integration_id>/disconnect", methods=["GET", "POST"])
def integration_disconnect(integration_id: int):
    """Ask, then forget the Lever tokens: the integration becomes Not authorised."""
    integration = load_integration_or_404(integration_id)
    form = ButtonForm()
    if form.validate_on_submit():
        services.disconnect(integration)
        db.session.commit()
        flash("Disconnected from Lever. Authorise again to receive new starters.", "success")
        return redirect(url_for(".integration_edit", integration_id=integration_id))
    return render_template(
        "integration/confirm.html", integration=integration, form=form, action="disconnect"
    )


@setup_bp.route("/<int:integration_id>/delete", methods=["GET", "POST"])
def integration_delete(integration_id: int):
    """Ask, then delete the integration: its webhook URL stops working."""
    integration = load_integration_or_404(integration_id)
    form = ButtonForm()
    if form.validate_on_submit():
        services.delete_integration(integration)
        db.session.commit()
        flash(
            f"Lever integration '{integration.subdomain}' deleted by {current_user.display_name}.",
            "success",
        )
        return redirect(url_for("integration.integrations_index"))
    return render_template(
        "integration/confirm.html", integration=integration, form=form, action="delete"
    )
