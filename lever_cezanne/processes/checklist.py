"""A task's checklist: the definition's steps, what is done, who ticked what and when.

Services flush, never commit.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessStep, Task, TaskStepTick, User
from lever_cezanne.processes.checks import CHECKS


@dataclass(frozen=True)
class StepState:
    """One line of a task's checklist as the page shows it."""

    step: ProcessStep
    done: bool
    checked_automatically: bool
    tick: TaskStepTick | None
    tickable: bool
    hint: str | None


def definition_steps(definition_id: int) -> list[ProcessStep]:
    """Return a definition's steps in order."""
    query = select(ProcessStep).where(ProcessStep.definition_id == definition_id)
    return list(db.session.scalars(query.order_by(ProcessStep.position, ProcessStep.id)))


def _state(task: Task, step: ProcessStep, tick: TaskStepTick | None, timezone: str) -> StepState:
    check = CHECKS.get(step.check or "")
    if check is None:
        return StepState(step, tick is not None, False, tick, True, None)
    passes = check.passes(task, timezone)
    if not check.tickable:
        # Only the data can tick it: an old tick never outlives data that changed back.
        return StepState(step, passes, passes, None, False, None if passes else check.failing_hint)
    done = passes or tick is not None
    hint = None if done else check.failing_hint
    return StepState(step, done, passes and tick is None, tick, True, hint)


def task_checklist(task: Task) -> list[StepState]:
    """Return the task's steps, each with whether it is done, and by whom."""
    ticks = {
        t.step_id: t
        for t in db.session.scalars(
            select(TaskStepTick)
            .where(TaskStepTick.task_id == task.id)
            .options(joinedload(TaskStepTick.ticked_by))
        )
    }
    timezone = current_app.config["TIMEZONE"]
    return [
        _state(task, step, ticks.get(step.id), timezone)
        for step in definition_steps(task.definition_id)
    ]


def open_required_steps(task: Task) -> list[StepState]:
    """Return the required steps not done yet."""
    return [s for s in task_checklist(task) if s.step.required and not s.done]


def _task_step(task: Task, step_id: int) -> ProcessStep:
    step = db.session.get(ProcessStep, step_id)
    if step is None or step.definition_id != task.definition_id:
        raise ValidationError("That step is not part of this task's process. Reload the page.")
    if not task.is_open:
        raise ValidationError(
            "This task is completed, so its steps cannot change. Reopen it first."
        )
    return step


def tick_step(task: Task, step_id: int, user: User) -> ProcessStep:
    """Tick a step by hand; steps the data verifies cannot be ticked."""
    step = _task_step(task, step_id)
    check = CHECKS.get(step.check or "")
    if check is not None and not check.tickable:
        raise ValidationError(
            f"\u201c{step.name}\u201d is checked automatically from the data, so it cannot be "
            f"ticked by hand. {check.failing_hint}"
        )
    existing = db.session.scalar(
        select(TaskStepTick).where(TaskStepTick.task_id == task.id, TaskStepTick.step_id == step.id)
    )
    if existing is None:
        # Two clicks at once: the unique constraint keeps the first tick.
        with refusing_duplicates(f"\u201c{step.name}\u201d was ticked a moment ago."):
            db.session.add(TaskStepTick(task_id=task.id, step_id=step.id, ticked_by_id=user.id))
    return step


def untick_step(task: Task, step_id: int) -> ProcessStep:
    """Take back a tick."""
    step = _task_step(task, step_id)
    db.session.execute(
        delete(TaskStepTick).where(TaskStepTick.task_id == task.id, TaskStepTick.step_id == step.id)
    )
    return step
