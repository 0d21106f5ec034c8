"""Edit a process definition's checklist: add, rename, reorder, required or optional.

Services flush, never commit.
"""

from sqlalchemy import delete, func, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition, ProcessStep, TaskStepTick
from lever_cezanne.processes.checklist import definition_steps


def add_step(definition: ProcessDefinition, name: str, required: bool) -> ProcessStep:
    """Add a step at the end of the checklist."""
    last = db.session.scalar(
        select(func.max(ProcessStep.position)).where(ProcessStep.definition_id == definition.id)
    )
    step = ProcessStep(
        definition_id=definition.id, position=(last or 0) + 1, name=name.strip(), required=required
    )
    db.session.add(step)
    db.session.flush()
    return step


def update_step(step: ProcessStep, name: str, required: bool) -> None:
    """Rename a step, or make it required or optional."""
    step.name, step.required = name.strip(), required
    db.session.flush()


def move_step(step: ProcessStep, offset: int) -> None:
    """Move a step one place up (-1) or down (+1)."""
    steps = definition_steps(step.definition_id)
    index = steps.index(step)
    target = index + offset
    if not 0 <= target < len(steps):
        raise ValidationError(f"\u201c{step.name}\u201d is already at that end of the checklist.")
    steps[index], steps[target] = steps[target], steps[index]
    for position, each in enumerate(steps, start=1):
        each.position = position
    db.session.flush()


def remove_step(step: ProcessStep) -> None:
    """Remove a step from the checklist, with its ticks on every task."""
    db.session.execute(delete(TaskStepTick).where(TaskStepTick.step_id == step.id))
    db.session.delete(step)
    db.session.flush()
