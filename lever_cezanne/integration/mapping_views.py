"""The Field mapping tab (Administrators): map offer fields, fetch them from Lever, Preview."""

import logging

from flask import flash, redirect, render_template, request, url_for

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.integration import field_mapping, setup_bp
from lever_cezanne.integration.forms import ButtonForm
from lever_cezanne.integration.mapping_forms import FieldMapForm, PreviewForm
from lever_cezanne.integration.views import load_integration_or_404
from lever_cezanne.lever.errors import LeverError, LeverNotFoundError, LeverTransientError
from lever_cezanne.onboarding.job import TARGET_LABELS
from lever_cezanne.onboarding.mapping import MappingError
from lever_cezanne.onboarding.names import NoNameError

log = logging.getLogger(__name__)


def _render(integration, form, preview_form, preview=None, problem=None, status=200):
    return render_template(
        "integration/mapping.html",
        integration=integration,
        form=form,
        preview_form=preview_form,
        preview=preview,
        problem=problem,
        targets=TARGET_LABELS,
        current=field_mapping.field_map_for(integration.field_map),
        button=ButtonForm(),
    ), status


@setup_bp.route("/<int:integration_id>/mapping", methods=["GET", "POST"])
def integration_mapping(integration_id: int):
    """Show and save which Lever offer fields fill which Cezanne HR fields."""
    integration = load_integration_or_404(integration_id)
    current = field_mapping.field_map_for(integration.field_map)
    form = FieldMapForm(data={t: ", ".join(current[t]) for t in TARGET_LABELS})
    if not form.validate_on_submit():
        return _render(integration, form, PreviewForm(formdata=None))
    try:
        unseen = field_mapping.save_map(integration, form.sources())
    except ValidationError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _render(integration, form, PreviewForm(formdata=None), status=422)
    db.session.commit()
    flash("Field mapping saved. New hires use it from now on.", "success")
    if unseen:
        flash(
            f"Not seen in this account's offers yet: {', '.join(unseen)}. Check the spelling, or "
            "press Fetch from Lever.",
            "warning",
        )
    return redirect(url_for(".integration_mapping", integration_id=integration.id))


@setup_bp.post("/<int:integration_id>/mapping/fetch")
def integration_mapping_fetch(integration_id: int):
    """Read offers from Lever and remember the field identifiers they use."""
    integration = load_integration_or_404(integration_id)
    if ButtonForm().validate_on_submit():
        try:
            count = field_mapping.fetch_offer_fields(integration)
        except LeverError as exc:
            db.session.rollback()
            if isinstance(exc, LeverTransientError):
                log.warning("integration %s: offers not read (%s)", integration_id, exc.detail)
            flash(f"Could not read offers from Lever: {exc}", "error")
        else:
            db.session.commit()
            flash(f"{count} offer fields are known for this account.", "success")
    return redirect(url_for(".integration_mapping", integration_id=integration_id))


@setup_bp.get("/<int:integration_id>/mapping/preview")
def integration_mapping_preview(integration_id: int):
    """Show what a hire of an opportunity would create, writing nothing."""
    integration = load_integration_or_404(integration_id)
    preview_form = PreviewForm(request.args)
    current = field_mapping.field_map_for(integration.field_map)
    form = FieldMapForm(formdata=None, data={t: ", ".join(current[t]) for t in TARGET_LABELS})
    if not preview_form.validate():
        return _render(integration, form, preview_form, status=422)
    opportunity_id = preview_form.opportunity.data.strip()
    try:
        preview = field_mapping.preview_hire(integration, opportunity_id)
    except LeverNotFoundError:
        db.session.rollback()
        problem = (
            f"Lever has no opportunity {opportunity_id}: copy the id from the candidate's page "
            "in Lever (the last part of its address)."
        )
        return _render(integration, form, preview_form, problem=problem)
    except (LeverError, MappingError, NoNameError) as exc:
        db.session.rollback()
        return _render(integration, form, preview_form, problem=f"{exc}".rstrip(".") + ".")
    db.session.rollback()  # nothing of the preview is kept
    return _render(integration, form, preview_form, preview=preview)
