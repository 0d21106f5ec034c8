"""Who owns a New Starter task and when it is due. Services flush, never commit."""

from datetime import date

from flask import url_for
from sqlalchemy import select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.mail.alerts import notify_reassigned_task
from lever_cezanne.models import Task, User
from lever_cezanne.people.history import record_change
from lever_cezanne.processes.notifications import notify


def reassignable_users(task: Task) -> list[User]:
    """Return the active HR Professionals (Administrators included) a task can move to."""
    query = select(User).where(
        User.active.is_(True), User.deleted_at.is_(None), User.id != task.assignee_id
    )
    return list(db.session.scalars(query.order_by(User.display_name, User.id)))


def reassign(task: Task, new_owner: User | None, by: User) -> None:
    """Give the task to another active HR Professional, record it and notify them."""
    if not task.is_open:
        raise ValidationError(
            "This task is completed, so it cannot be reassigned. Reopen it first."
        )
    if new_owner is None or not new_owner.is_active:
        raise ValidationError("Choose an active HR Professional from the list.")
    if new_owner.id == task.assignee_id:
        raise ValidationError(f"The task is already assigned to {new_owner.display_name}.")
    record_change(
        task.person,
        by,
        "New Starter task: Assigned to",
        task.assignee.display_name,
        new_owner.display_name,
    )
    task.assignee_id = new_owner.id
    db.session.flush()
    db.session.refresh(task, ["assignee"])
    notification = notify(
        new_owner.id,
        f"{by.display_name} assigned you the New Starter task for {task.person.full_name}.",
        url_for("processes.task_show", task_id=task.id),
    )
    # Queued now, sent by the outbox only once the caller commits.
    notify_reassigned_task(task, by, notification.id)


def set_due_date(task: Task, due: date, by: User) -> None:
    """Change when the task is due, and record it."""
    if not task.is_open:
        raise ValidationError(
            "This task is completed, so its due date cannot change. Reopen it first."
        )
    record_change(task.person, by, "New Starter task: Due Date", task.due_date, due)
    task.due_date = due
    db.session.flush()
