"""Edit anyone's personal details, job and salary from the person page (Administrators)."""

from flask import abort, redirect, render_template, url_for

from lever_cezanne.extensions import db
from lever_cezanne.models import Person
from lever_cezanne.people import admin_bp
from lever_cezanne.people.forms import PersonEditForm
from lever_cezanne.people.job_views import edit_job
from lever_cezanne.people.person_edit import gender_choices, save_person_form


@admin_bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int):
    """Edit a person's personal details."""
    person = db.get_or_404(Person, person_id)
    form = PersonEditForm(obj=person)
    form.gender_id.choices = gender_choices()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = save_person_form(form, person)
        if status is None:
            return redirect(url_for("people.person_show", person_id=person.id))
    back = url_for("people.person_show", person_id=person.id)
    return render_template(
        "people/edit.html", form=form, person=person, task=None, back=back
    ), status


@admin_bp.route("/people/<int:person_id>/job", methods=["GET", "POST"])
def person_job_edit(person_id: int):
    """Edit the Job Title, Department, Location, Line Manager and Salary of the open employment."""
    person = db.get_or_404(Person, person_id)
    employment = person.current_employment or abort(404)
    return edit_job(person, employment, url_for("people.person_show", person_id=person.id))
