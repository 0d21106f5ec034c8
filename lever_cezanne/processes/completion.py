"""The only writer of a New Starter task's status: complete, complete anyway, reopen.

A task is ready when the person has open Employment Details and every required step of its
checklist is done. Until then only an Administrator may complete it, with a written reason.
"""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Task, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.processes import TASK_COMPLETED, TASK_OPEN
from lever_cezanne.onboarding.steps import open_employment
from lever_cezanne.processes.checklist import open_required_steps

MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class Blocker:
    """Why a task cannot be completed yet, and where the fix is."""

    message: str
    fix_url: str
    fix_label: str


# Which screen fixes a step that the data verifies.
_CHECK_FIXES = {
    "date_of_birth": ("processes.task_person_edit", None, "Edit the personal details"),
    "gender": ("processes.task_show", "checklist", "Go to the checklist"),
}


def _step_blocker(task: Task, state) -> Blocker:
    endpoint, anchor, label = _CHECK_FIXES.get(
        state.step.check or "", ("processes.task_show", f"step-{state.step.id}", "Go to the step")
    )
    return Blocker(
        f"The required step \u201c{state.step.name}\u201d is not done.",
        url_for(endpoint, task_id=task.id, _anchor=anchor),
        label,
    )


def blockers(task: Task) -> list[Blocker]:
    """Return what still stops the task from being completed (empty when it is ready)."""
    found = []
    if open_employment(task.person_id) is None:
        found.append(
            Blocker(
                f"{task.person.full_name} has no open Employment Details.",
                url_for("processes.task_show", task_id=task.id, _anchor="employment"),
                "Add the Employment Details",
            )
        )
    for state in open_required_steps(task):
        if state.step.check != "employment":  # said once, above
            found.append(_step_blocker(task, state))
    return found


def _finish(task: Task, user: User, reason: str | None) -> None:
    task.status, task.completed_at, task.completed_by_id = TASK_COMPLETED, utcnow(), user.id
    task.completed_anyway_reason = reason
    db.session.flush()


def complete_task(task: Task, user: User) -> None:
    """Mark the task completed, unless something required is still missing."""
    if not task.is_open:
        raise ValidationError("This task is already completed.")
    missing = blockers(task)
    if missing:
        raise ValidationError(
            "The task cannot be completed yet: "
            + " ".join(b.message for b in missing)
            + " Fix this on the task page first."
        )
    _finish(task, user, None)


def complete_anyway(task: Task, user: User, reason: str) -> None:
    """Complete a task that is not ready; only Administrators, with a recorded reason."""
    if not user.is_administrator:
        raise ValidationError("Only an Administrator can complete a task that is not ready.")
    if not task.is_open:
        raise ValidationError("This task is already completed.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            f"Write why the task is complete anyway (at least {MIN_REASON_LENGTH} characters)."
        )
    _finish(task, user, reason)


def reopen_task(task: Task) -> None:
    """Reopen a completed task, unless the person already has another open New Starter task."""
    if task.is_open:
        raise ValidationError("This task is already open.")
    other = db.session.scalar(
        select(Task.id).where(Task.person_id == task.person_id, Task.status == TASK_OPEN)
    )
    message = (
        f"{task.person.full_name} already has an open New Starter task. A person can have only "
        "one open New Starter task: complete that one first, or work on it instead."
    )
    if other is not None:
        raise ValidationError(message)
    # The unique index allows one open task per person: a task created meanwhile wins.
    with refusing_duplicates(message):
        task.status, task.completed_at, task.completed_by_id = TASK_OPEN, None, None
        task.completed_anyway_reason = None
