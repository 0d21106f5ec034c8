"""New Starter process definitions, and which one the integration would use now."""

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from lever_cezanne.core.pagination import numbered_page
from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition
from lever_cezanne.onboarding.processes import choose_new_starter_process, describe_process_choice
from lever_cezanne.processes import admin_bp, definition_services
from lever_cezanne.processes.forms import ProcessForm

PER_PAGE = 50


def _back(message: str):
    flash(message, "success")
    return redirect(url_for("processes_admin.processes_index"))


@admin_bp.route("/processes")
def processes_index():
    """List New Starter process definitions and say which one the integration uses now."""
    query = select(ProcessDefinition).order_by(
        ProcessDefinition.created_at.desc(), ProcessDefinition.id.desc()
    )
    definitions = numbered_page(query, PER_PAGE)
    chosen = choose_new_starter_process()
    return render_template(
        "processes/definitions/index.html",
        definitions=definitions,
        chosen=chosen,
        choice=describe_process_choice(chosen),
    )


@admin_bp.route("/processes/new", methods=["GET", "POST"])
def process_new():
    """Create a New Starter process definition."""
    form = ProcessForm()
    if form.validate_on_submit():
        definition = definition_services.create_process_definition(
            form.name.data, form.type.data, form.active.data
        )
        db.session.commit()
        return _back(f"Process \u201c{definition.name}\u201d created.")
    return render_template("processes/definitions/new.html", form=form)


@admin_bp.route("/processes/<int:definition_id>/edit", methods=["GET", "POST"])
def process_edit(definition_id: int):
    """Change a process definition's name, type or whether it is active."""
    definition = db.get_or_404(ProcessDefinition, definition_id)
    form = ProcessForm(obj=definition)
    if form.validate_on_submit():
        definition_services.update_process_definition(
            definition, form.name.data, form.type.data, form.active.data
        )
        db.session.commit()
        return _back(f"Saved the changes to \u201c{definition.name}\u201d.")
    return render_template("processes/definitions/edit.html", form=form, definition=definition)


@admin_bp.route("/processes/<int:definition_id>/activate", methods=["POST"])
def process_activate(definition_id: int):
    """Activate a process definition."""
    definition = db.get_or_404(ProcessDefinition, definition_id)
    definition_services.set_process_active(definition, True)
    db.session.commit()
    return _back(f"\u201c{definition.name}\u201d is active.")


@admin_bp.route("/processes/<int:definition_id>/deactivate", methods=["POST"])
def process_deactivate(definition_id: int):
    """Deactivate a process definition; existing tasks keep it."""
    definition = db.get_or_404(ProcessDefinition, definition_id)
    definition_services.set_process_active(definition, False)
    db.session.commit()
    return _back(f"\u201c{definition.name}\u201d is inactive. Tasks already started keep it.")
