"""The person edit page, shared by the task page and the person page: choices, save, view."""

from flask import flash, redirect, render_template
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lever_cezanne.extensions import db
from lever_cezanne.models import Gender, Person
from lever_cezanne.people import edits
from lever_cezanne.people.edits import StaleEdit
from lever_cezanne.people.forms import PersonEditForm


def gender_choices() -> list[SelectChoice]:
    """Return the Gender picklist for a select box, by description."""
    genders = db.session.scalars(select(Gender).order_by(Gender.description))
    return [SelectChoice(g.id, g.description) for g in genders]


def save_person_form(form: PersonEditForm, person: Person):
    """Save a validated person form; return None, or the status code of a refusal."""
    changes = {name: getattr(form, name).data for name in edits.PERSON_LABELS}
    try:
        changed = edits.save_person(person, changes, form.version.data, current_user)
    except StaleEdit as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return 409
    db.session.commit()
    flash(
        f"Saved the personal details of {person.full_name}." if changed else "Nothing was changed.",
        "success",
    )
    return None


def edit_person(person: Person, task, back: str):
    """Show the personal details form, or save it and go back to `back`."""
    form = PersonEditForm(obj=person)
    form.gender_id.choices = gender_choices()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = save_person_form(form, person)
        if status is None:
            return redirect(back)
    return render_template(
        "people/edit.html", form=form, person=person, task=task, back=back
    ), status
