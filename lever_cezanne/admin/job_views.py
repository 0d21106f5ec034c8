"""Edit an employment's job and salary from the person page (Administrators)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lever_cezanne.admin import bp
from lever_cezanne.admin.services import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.hr import job_services
from lever_cezanne.hr.edits import StaleEdit
from lever_cezanne.hr.filters import local_today
from lever_cezanne.hr.job_forms import JobForm
from lever_cezanne.models import Department, Location, Person


def _form(employment) -> JobForm:
    salary = employment.current_salary
    manager = employment.line_manager
    form = JobForm(
        data={
            "version": employment.version,
            "job_title": employment.job_title,
            "department_id": str(employment.department_id or ""),
            "location_id": str(employment.location_id or ""),
            "line_manager_code": manager.person_code if manager else "",
            "salary_amount": salary.amount if salary else None,
            "salary_currency": salary.currency if salary else "",
            "salary_interval": salary.interval if salary else "",
            "salary_effective_date": salary.effective_date if salary else local_today(),
        }
    )
    form.department_id.choices = job_services.choices(Department, employment.department_id)
    form.location_id.choices = job_services.choices(Location, employment.location_id)
    return form


@bp.route("/people/<int:person_id>/job", methods=["GET", "POST"])
def person_job_edit(person_id: int):
    """Edit the Job Title, Department, Location, Line Manager and Salary of the open employment."""
    person = db.get_or_404(Person, person_id)
    employment = person.current_employment or abort(404)
    form = _form(employment)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            changed = job_services.save_job(
                employment, form.job_change(), form.version.data, current_user
            )
        except StaleEdit as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = 409
        except ValidationError as exc:
            db.session.rollback()
            form.line_manager_code.errors = [*form.line_manager_code.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                f"Saved the job and salary of {person.full_name}."
                if changed
                else "Nothing was changed.",
                "success",
            )
            return redirect(url_for("hr.person_show", person_id=person.id))
    return render_template("hr/people/job.html", form=form, person=person), status
