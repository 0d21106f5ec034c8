"""A process definition's checklist: add, rename, reorder, required or optional."""

from flask import abort, flash, redirect, render_template, url_for

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition, ProcessStep
from lever_cezanne.processes import admin_bp, definition_steps
from lever_cezanne.processes.checklist import definition_steps as ordered_steps
from lever_cezanne.processes.checks import CHECKS
from lever_cezanne.processes.forms import StepForm


def _step(definition_id: int, step_id: int) -> ProcessStep:
    step = db.get_or_404(ProcessStep, step_id)
    if step.definition_id != definition_id:
        abort(404)
    return step


def _back(definition_id: int, message: str, category: str = "success"):
    if category == "success":
        db.session.commit()
    else:
        db.session.rollback()
    flash(message, category)
    return redirect(url_for("processes_admin.process_steps", definition_id=definition_id))


def _render(definition: ProcessDefinition, add_form: StepForm, status: int = 200):
    steps = ordered_steps(definition.id)
    forms = {s.id: StepForm(formdata=None, obj=s, prefix=f"step-{s.id}") for s in steps}
    return render_template(
        "processes/definitions/steps.html",
        definition=definition,
        steps=steps,
        forms=forms,
        add_form=add_form,
        checks=CHECKS,
    ), status


@admin_bp.route("/processes/<int:definition_id>/steps", methods=["GET", "POST"])
def process_steps(definition_id: int):
    """Show a process's checklist and add a step at the end."""
    definition = db.get_or_404(ProcessDefinition, definition_id)
    form = StepForm(prefix="new")
    if form.validate_on_submit():
        step = definition_steps.add_step(definition, form.name.data, form.required.data)
        return _back(definition.id, f"Added \u201c{step.name}\u201d.")
    return _render(definition, form, 422 if form.is_submitted() else 200)


@admin_bp.route("/processes/<int:definition_id>/steps/<int:step_id>", methods=["POST"])
def process_step_update(definition_id: int, step_id: int):
    """Rename a step, or make it required or optional."""
    step = _step(definition_id, step_id)
    form = StepForm(prefix=f"step-{step.id}")
    if not form.validate_on_submit():
        return _back(definition_id, " ".join(form.name.errors), "error")
    definition_steps.update_step(step, form.name.data, form.required.data)
    return _back(definition_id, f"Saved \u201c{step.name}\u201d.")


@admin_bp.route("/processes/<int:definition_id>/steps/<int:step_id>/up", methods=["POST"])
def process_step_up(definition_id: int, step_id: int):
    """Move a step one place up."""
    return _move(_step(definition_id, step_id), -1)


@admin_bp.route("/processes/<int:definition_id>/steps/<int:step_id>/down", methods=["POST"])
def process_step_down(definition_id: int, step_id: int):
    """Move a step one place down."""
    return _move(_step(definition_id, step_id), 1)


def _move(step: ProcessStep, offset: int):
    try:
        definition_steps.move_step(step, offset)
    except ValidationError as exc:
        return _back(step.definition_id, str(exc), "error")
    return _back(step.definition_id, f"Moved \u201c{step.name}\u201d.")


@admin_bp.route("/processes/<int:definition_id>/steps/<int:step_id>/remove", methods=["POST"])
def process_step_remove(definition_id: int, step_id: int):
    """Remove a step from the checklist."""
    step = _step(definition_id, step_id)
    name = step.name
    definition_steps.remove_step(step)
    return _back(definition_id, f"Removed \u201c{name}\u201d from the checklist.")
