"""The Gender picklist: add an item, or change one. Services flush, never commit.

"Not Known" (code U) is what every hire from Lever gets, so its code never changes; nothing is
deleted, since people keep the gender they have.
"""

from lever_cezanne.core.validation import Unique, ValidationError, saving_unique
from lever_cezanne.extensions import db
from lever_cezanne.models import Gender
from lever_cezanne.models.people import GENDER_NOT_KNOWN

UNIQUE_CODE = Unique(
    "uq_genders_code_lower",
    "code",
    "Another gender already has the code '{value}' (the same whatever its case). Choose another "
    "code.",
)


def _checked(code: str, description: str, gender: Gender | None = None) -> tuple[str, str]:
    code, description = (code or "").strip(), " ".join((description or "").split())
    if not code or not description:
        raise ValidationError("A gender needs a code and a description.")
    if gender is not None and gender.code == GENDER_NOT_KNOWN and code != GENDER_NOT_KNOWN:
        raise ValidationError(
            f"Not Known keeps the code {GENDER_NOT_KNOWN}: every hire from Lever gets it. Change "
            "its description only.",
            field="code",
        )
    return code, description


def create_gender(code: str, description: str) -> Gender:
    """Add an item to the Gender picklist; its code is unique in any case."""
    code, description = _checked(code, description)
    gender = Gender(code=code, description=description)
    with saving_unique(UNIQUE_CODE, code=code):
        db.session.add(gender)
    return gender


def update_gender(gender: Gender, code: str, description: str) -> Gender:
    """Change an item's code or description (Not Known keeps its code)."""
    code, description = _checked(code, description, gender)
    with saving_unique(UNIQUE_CODE, code=code):
        gender.code, gender.description = code, description
    return gender
