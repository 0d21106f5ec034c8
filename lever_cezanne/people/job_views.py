"""The job and salary form's request handling, shared by the person page and the task."""

from flask import flash, redirect, render_template
from flask_login import current_user

from lever_cezanne.core.template_filters import local_today
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location, Person
from lever_cezanne.people import job_services
from lever_cezanne.people.edits import StaleEdit
from lever_cezanne.people.job_forms import JobForm


def job_form(employment) -> JobForm:
    """Return the job and salary form filled from the employment and its current salary."""
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


def edit_job(person: Person, employment, back: str):
    """Show the job and salary form, or save it and go back."""
    form = job_form(employment)
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
            return redirect(back)
    return render_template("people/job.html", form=form, person=person, back=back), status
