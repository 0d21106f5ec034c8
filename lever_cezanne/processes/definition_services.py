"""Create and change New Starter process definitions. Services flush, never commit."""

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition
from lever_cezanne.models.processes import PROCESS_TYPES
from lever_cezanne.processes.defaults import seed_default_steps


def create_process_definition(name, type_, active=True) -> ProcessDefinition:
    """Create a New Starter process definition with the default checklist."""
    if type_ not in PROCESS_TYPES:
        raise ValidationError(
            f"Unknown process type {type_!r}: use one of {', '.join(PROCESS_TYPES)}."
        )
    if not name.strip():
        raise ValidationError("A process definition needs a name.")
    definition = ProcessDefinition(name=name.strip(), type=type_, active=active)
    db.session.add(definition)
    db.session.flush()
    seed_default_steps(definition)
    return definition


def update_process_definition(definition: ProcessDefinition, name, type_, active) -> None:
    """Change a process definition's name, type and whether it is active."""
    if type_ not in PROCESS_TYPES:
        raise ValidationError(
            f"Unknown process type {type_!r}: use one of {', '.join(PROCESS_TYPES)}."
        )
    if not name.strip():
        raise ValidationError("A process definition needs a name.")
    definition.name, definition.type, definition.active = name.strip(), type_, active
    db.session.flush()


def set_process_active(definition: ProcessDefinition, active: bool) -> None:
    """Activate or deactivate a process definition."""
    definition.active = active
    db.session.flush()
