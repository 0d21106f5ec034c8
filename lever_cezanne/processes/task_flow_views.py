"""Work through a New Starter task: tick steps, reassign it, change when it is due."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Task, User
from lever_cezanne.processes import bp, checklist, ownership, task_services
from lever_cezanne.processes.forms import DueDateForm, ReassignForm


def _task_for_action(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    if not task_services.may_act_on(task, current_user):
        abort(403)
    return task


def _back(task: Task, message: str | None = None, anchor: str | None = None):
    if message:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("processes.task_show", task_id=task.id, _anchor=anchor))


def _refused(task: Task, message: str, anchor: str | None = None):
    db.session.rollback()
    flash(message, "error")
    return redirect(url_for("processes.task_show", task_id=task.id, _anchor=anchor))


@bp.route("/tasks/<int:task_id>/steps/<int:step_id>/tick", methods=["POST"])
def task_step_tick(task_id: int, step_id: int):
    """Tick a checklist step."""
    task = _task_for_action(task_id)
    try:
        step = checklist.tick_step(task, step_id, current_user)
    except ValidationError as exc:
        return _refused(task, str(exc), "checklist")
    return _back(task, f"Ticked \u201c{step.name}\u201d.", "checklist")


@bp.route("/tasks/<int:task_id>/steps/<int:step_id>/untick", methods=["POST"])
def task_step_untick(task_id: int, step_id: int):
    """Take back a tick."""
    task = _task_for_action(task_id)
    try:
        step = checklist.untick_step(task, step_id)
    except ValidationError as exc:
        return _refused(task, str(exc), "checklist")
    return _back(task, f"\u201c{step.name}\u201d is no longer ticked.", "checklist")


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
def task_reassign(task_id: int):
    """Give the task to another active HR Professional, who is notified."""
    task = _task_for_action(task_id)
    form = ReassignForm()
    form.assignee.choices = [(u.id, u.display_name) for u in ownership.reassignable_users(task)]
    if not form.validate_on_submit():
        return _refused(task, " ".join(form.assignee.errors or ["Reload the page."]), "owner")
    try:
        ownership.reassign(task, db.session.get(User, form.assignee.data), current_user)
    except ValidationError as exc:
        return _refused(task, str(exc), "owner")
    return _back(task, f"The task is now assigned to {task.assignee.display_name}.")


@bp.route("/tasks/<int:task_id>/due-date", methods=["POST"])
def task_due_date(task_id: int):
    """Change when the task is due."""
    task = _task_for_action(task_id)
    form = DueDateForm()
    if not form.validate_on_submit():
        return _refused(task, " ".join(form.due_date.errors), "due_date")
    try:
        ownership.set_due_date(task, form.due_date.data, current_user)
    except ValidationError as exc:
        return _refused(task, str(exc), "due_date")
    return _back(task, "The due date is saved.")
