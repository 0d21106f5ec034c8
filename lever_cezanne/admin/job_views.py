"""Edit an employment's job and salary from the person page (Administrators)."""

from flask import abort, url_for

from lever_cezanne.admin import bp
from lever_cezanne.extensions import db
from lever_cezanne.hr.job_views import edit_job
from lever_cezanne.models import Person


@bp.route("/people/<int:person_id>/job", methods=["GET", "POST"])
def person_job_edit(person_id: int):
    """Edit the Job Title, Department, Location, Line Manager and Salary of the open employment."""
    person = db.get_or_404(Person, person_id)
    employment = person.current_employment or abort(404)
    return edit_job(person, employment, url_for("hr.person_show", person_id=person.id))
