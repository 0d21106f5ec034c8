"""The checklist every new New Starter process definition starts with."""

from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition, ProcessStep

# (name, required, automatic check)
DEFAULT_STEPS = (
    ("Confirm personal details", True, None),
    ("Replace the placeholder Date of Birth", True, "date_of_birth"),
    ("Confirm Gender", True, "gender"),
    ("Confirm Employment Details", True, "employment"),
    ("Confirm Job and Salary", True, "job_salary"),
    ("Upload right-to-work documents", False, None),
)


def seed_default_steps(definition: ProcessDefinition) -> None:
    """Give a new definition the default checklist."""
    for position, (name, required, check) in enumerate(DEFAULT_STEPS, start=1):
        db.session.add(
            ProcessStep(
                definition_id=definition.id,
                position=position,
                name=name,
                required=required,
                check=check,
            )
        )
    db.session.flush()
