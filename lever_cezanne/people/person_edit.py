"""The person edit form's choices and save, shared by the task page and the person page."""

from flask import flash
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
