"""The Gender picklist: add an item, or change one. Services flush, never commit.

"Not Known" (code U) is what every hire from Lever gets, so its code never changes; nothing is
deleted, since people keep the gender they have.
"""

from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Gender
from lever_cezanne.models.people import GENDER_NOT_KNOWN


def _checked(code: str, description: str, gender: Gender | None = None) -> tuple[str, str]:
    code, description = (code or "").strip(), " ".join((description or "").split())
    if not code or not description:
        raise ValidationError("A gender needs a code and a description.")
    if gender is not None and gender.code == GENDER_NOT_KNOWN and code != GENDER_NOT_KNOWN:
        raise ValidationError(
            "Not Known keeps the code U: every hire from Lever gets it. Change its description "
            "only.",
            field="code",
        )
    taken = select(Gender.id).where(func.lower(Gender.code) == code.lower())
    if gender is not None:
        taken = taken.where(Gender.id != gender.id)
    if db.session.scalar(taken) is not None:
        raise ValidationError(
            f"Another gender already has the code '{code}' (the same whatever its case). Choose "
            "another code.",
            field="code",
        )
    return code, description


def _duplicate(code: str) -> str:
    return f"Another gender has just been saved with the code '{code}'. Choose another code."


def create_gender(code: str, description: str) -> Gender:
    """Add an item to the Gender picklist."""
    code, description = _checked(code, description)
    gender = Gender(code=code, description=description)
    with refusing_duplicates(_duplicate(code)):
        db.session.add(gender)
    return gender


def update_gender(gender: Gender, code: str, description: str) -> Gender:
    """Change an item's code or description (Not Known keeps its code)."""
    code, description = _checked(code, description, gender)
    with refusing_duplicates(_duplicate(code)):
        gender.code, gender.description = code, description
    return gender
