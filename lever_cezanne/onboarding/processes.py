"""Choose the New Starter process definition the integration uses for a hire."""

from sqlalchemy import case, select

from lever_cezanne.extensions import db
from lever_cezanne.models import ProcessDefinition
from lever_cezanne.models.processes import WITH_ABSENCES, WITHOUT_ABSENCES

# The documentation's order of preference: "with absences" first, then "without absences".
PREFERENCE = (WITH_ABSENCES, WITHOUT_ABSENCES)


# One query, built once (a hire asks it every time): the preferred type first, then the latest.
_CHOOSE = (
    select(ProcessDefinition)
    .where(ProcessDefinition.type.in_(PREFERENCE), ProcessDefinition.active.is_(True))
    .order_by(
        case(*((ProcessDefinition.type == type_, rank) for rank, type_ in enumerate(PREFERENCE))),
        ProcessDefinition.created_at.desc(),
        ProcessDefinition.id.desc(),
    )
    .limit(1)
)


def choose_new_starter_process() -> ProcessDefinition | None:
    """Return the latest active "with absences" definition, else "without absences", else None."""
    return db.session.scalar(_CHOOSE)


def describe_process_choice(definition: ProcessDefinition | None) -> str:
    """Return the sentence that tells an Administrator what the integration will use now."""
    if definition is None:
        return (
            "No New Starter process is active, so the Lever integration cannot start a New Starter "
            "task: it will log an Error for every hire until you activate one."
        )
    return (
        f"The Lever integration will use \u201c{definition.name}\u201d "
        f"({definition.type_label}) for the next hire."
    )
