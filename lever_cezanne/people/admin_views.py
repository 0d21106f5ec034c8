"""Edit anyone's personal details, job and salary from the person page (Administrators)."""

from flask import abort, url_for

from lever_cezanne.extensions import db
from lever_cezanne.models import Person
from lever_cezanne.people import admin_bp
from lever_cezanne.people.job_views import edit_job
from lever_cezanne.people.person_edit import edit_person


@admin_bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int):
    """Edit a person's personal details."""
    person = db.get_or_404(Person, person_id)
    return edit_person(person, None, url_for("people.person_show", person_id=person.id))


@admin_bp.route("/people/<int:person_id>/job", methods=["GET", "POST"])
def person_job_edit(person_id: int):
    """Edit the Job Title, Department, Location, Line Manager and Salary of the open employment."""
    person = db.get_or_404(Person, person_id)
    employment = person.current_employment or abort(404)
    return edit_job(person, employment, url_for("people.person_show", person_id=person.id))
