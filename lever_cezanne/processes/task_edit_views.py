"""Edit the new starter's details from their task: the assignee or any Administrator."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Task
from lever_cezanne.people import edits
from lever_cezanne.people.edits import StaleEdit
from lever_cezanne.people.forms import EmploymentEditForm
from lever_cezanne.people.job_views import edit_job
from lever_cezanne.people.person_edit import edit_person
from lever_cezanne.processes import bp, task_services


def _editable_task(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    if not task_services.may_act_on(task, current_user):
        abort(403)
    return task


def _completed(task: Task):
    flash("This task is completed, so its details cannot be changed. Reopen it first.", "error")
    return redirect(url_for("processes.task_show", task_id=task.id))


def _no_employment(task: Task):
    flash("This person has no open Employment Details yet: add them first.", "error")
    return redirect(url_for("processes.task_show", task_id=task.id, _anchor="employment"))


@bp.route("/tasks/<int:task_id>/person", methods=["GET", "POST"])
def task_person_edit(task_id: int):
    """Edit the new starter's Personal Information and Contact Details from the task."""
    task = _editable_task(task_id)
    if not task.is_open:
        return _completed(task)
    return edit_person(task.person, task, url_for("processes.task_show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/employment/edit", methods=["GET", "POST"])
def task_employment_edit(task_id: int):
    """Edit the new starter's open Employment Details from the task."""
    task = _editable_task(task_id)
    if not task.is_open:
        return _completed(task)
    employment = task.person.current_employment
    if employment is None:
        return _no_employment(task)
    form = EmploymentEditForm(
        company=employment.company.code,
        hire_date=employment.hire_date,
        employment_id=employment.employment_id,
        version=employment.version,
    )
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            edits.save_employment(
                employment,
                form.company.company,
                form.hire_date.data,
                form.employment_id.data or "",
                form.version.data,
                current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = 409 if isinstance(exc, StaleEdit) else 422
        else:
            db.session.commit()
            flash("Saved the Employment Details.", "success")
            return redirect(url_for("processes.task_show", task_id=task.id))
    return render_template(
        "processes/tasks/employment_edit.html", form=form, task=task, employment=employment
    ), status


@bp.route("/tasks/<int:task_id>/job", methods=["GET", "POST"])
def task_job_edit(task_id: int):
    """Edit the new starter's Job Title, Department, Location, Line Manager and Salary."""
    task = _editable_task(task_id)
    if not task.is_open:
        return _completed(task)
    employment = task.person.current_employment
    if employment is None:
        return _no_employment(task)
    return edit_job(task.person, employment, url_for("processes.task_show", task_id=task.id))
