"""New Starter task screens: My Tasks, a task's page and what its assignee can do there."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lever_cezanne.core.template_filters import local_today
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Task
from lever_cezanne.models.processes import TASK_OPEN
from lever_cezanne.people.forms import AddEmploymentForm, CompanyChoiceForm
from lever_cezanne.processes import bp, checklist, completion, ownership, task_services
from lever_cezanne.processes.forms import (
    CompleteAnywayForm,
    DueDateForm,
    MyTasksFilterForm,
    ReassignForm,
)
from lever_cezanne.processes.task_queries import tasks_page


@bp.route("/tasks/mine")
def tasks_mine():
    """List the signed-in user's New Starter tasks, open first, with filters."""
    filters = MyTasksFilterForm(request.args)
    args = filters.active_filters() if filters.validate() else {}
    page = tasks_page(
        None if args.get("scope") == "team" else current_user.id,
        args.get("status", ""),
        args.get("q", ""),
        request.args.get("after"),
        request.args.get("before"),
        args.get("sort", ""),
    )
    return render_template("processes/tasks/mine.html", page=page, filters=filters, args=args)


@bp.route("/tasks/<int:task_id>")
def task_show(task_id: int):
    """Show a New Starter task: the person, their Employment Details and the actions."""
    task = db.get_or_404(Task, task_id)
    return _render_task(task)


def _render_task(task: Task, add_form=None, change_form=None, anyway_form=None, status=200):
    person = task.person
    if add_form is None:
        add_form = AddEmploymentForm(
            formdata=None, hire_date=local_today(), employment_id=person.person_code
        )
    return render_template(
        "processes/tasks/show.html",
        task=task,
        person=person,
        employment=person.current_employment,
        may_act=task_services.may_act_on(task, current_user),
        add_form=add_form,
        change_form=change_form or CompanyChoiceForm(formdata=None),
        anyway_form=anyway_form or CompleteAnywayForm(formdata=None),
        blockers=completion.blockers(task) if task.is_open else [],
        checklist=checklist.task_checklist(task),
        reassign_form=_reassign_form(task),
        due_form=DueDateForm(formdata=None, due_date=task.due_date),
        today=local_today(),
    ), status


def _reassign_form(task: Task) -> ReassignForm:
    form = ReassignForm(formdata=None)
    form.assignee.choices = [(u.id, u.display_name) for u in ownership.reassignable_users(task)]
    return form


def _task_for_action(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    if not task_services.may_act_on(task, current_user):
        abort(403)
    return task


def _done(task: Task, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("processes.task_show", task_id=task.id))


def _refused(task: Task, exc: ValidationError):
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for("processes.task_show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/employment", methods=["POST"])
def task_add_employment(task_id: int):
    """Add the Employment Details the integration could not create."""
    task = _task_for_action(task_id)
    form = AddEmploymentForm()
    if not form.validate_on_submit():
        return _render_task(task, add_form=form, status=422)
    try:
        employment = task_services.add_employment(
            task,
            form.company.company,
            form.hire_date.data,
            form.employment_id.data or "",
            current_user,
        )
    except ValidationError as exc:
        return _refused(task, exc)
    return _done(task, f"Employment Details added in {employment.company.label}.")


@bp.route("/tasks/<int:task_id>/company", methods=["POST"])
def task_change_company(task_id: int):
    """Move the person's open Employment Details to another company."""
    task = _task_for_action(task_id)
    form = CompanyChoiceForm()
    if not form.validate_on_submit():
        return _render_task(task, change_form=form, status=422)
    try:
        employment = task_services.change_company(task, form.company.company, current_user)
    except ValidationError as exc:
        return _refused(task, exc)
    return _done(task, f"The company is now {employment.company.label}.")


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def task_complete(task_id: int):
    """Mark the task completed."""
    task = _task_for_action(task_id)
    try:
        completion.complete_task(task, current_user)
    except ValidationError as exc:
        return _refused(task, exc)
    return _done(task, f"The New Starter task for {task.person.full_name} is completed.")


@bp.route("/tasks/<int:task_id>/complete-anyway", methods=["POST"])
def task_complete_anyway(task_id: int):
    """Complete a task that is not ready, with a recorded reason (Administrators)."""
    task = db.get_or_404(Task, task_id)
    if not current_user.is_administrator:
        abort(403)
    form = CompleteAnywayForm()
    if not form.validate_on_submit():
        return _render_task(task, anyway_form=form, status=422)
    try:
        completion.complete_anyway(task, current_user, form.reason.data)
    except ValidationError as exc:
        return _refused(task, exc)
    return _done(task, f"The New Starter task for {task.person.full_name} is completed anyway.")


@bp.route("/tasks/<int:task_id>/reopen", methods=["POST"])
def task_reopen(task_id: int):
    """Reopen a completed task."""
    task = _task_for_action(task_id)
    try:
        completion.reopen_task(task)
    except ValidationError as exc:
        return _refused(task, exc)
    return _done(task, f"The New Starter task for {task.person.full_name} is open again.")


@bp.app_context_processor
def open_task_count() -> dict:
    """Give the navigation a way to count the signed-in user's open New Starter tasks."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        query = select(func.count()).where(
            Task.assignee_id == current_user.id, Task.status == TASK_OPEN
        )
        return db.session.scalar(query) or 0

    return {"open_task_count": count}


@bp.route("/")
def home():
    """Start Administrators at the integrations' health, HR Professionals at their open tasks."""
    if current_user.is_administrator:
        return redirect(url_for("integration_setup.integrations_health"))
    page = tasks_page(
        current_user.id,
        TASK_OPEN,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template("processes/home.html", page=page)
