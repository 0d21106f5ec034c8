"""Edit a person's Personal Information and Contact Details (Administrators)."""

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lever_cezanne.admin import bp
from lever_cezanne.extensions import db
from lever_cezanne.hr import services
from lever_cezanne.hr.forms import PersonForm
from lever_cezanne.models import Gender, Person


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int):
    """Edit a person's personal details."""
    person = db.get_or_404(Person, person_id)
    form = PersonForm(obj=person)
    genders = db.session.scalars(select(Gender).order_by(Gender.description))
    form.gender_id.choices = [SelectChoice(g.id, g.description) for g in genders]
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.PERSON_FIELDS}
        services.update_person(person, changes)
        db.session.commit()
        flash(f"Saved the personal details of {person.full_name}.", "success")
        return redirect(url_for("hr.person_show", person_id=person.id))
    return render_template("admin/people/edit.html", form=form, person=person)
