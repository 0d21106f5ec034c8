"""Create and change Departments and Locations. Services flush, never commit."""

from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location

# What each lookup is called in messages: singular, plural.
LOOKUP_WORDS = {Department: ("department", "departments"), Location: ("location", "locations")}


def lookup_taken(model, column: str, value: str, exclude_id: int | None = None) -> bool:
    """Return whether another row already has this code or name, in any case."""
    attribute = getattr(model, column)
    query = select(model.id).where(func.lower(attribute) == value.strip().lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def _checked(model, code: str, name: str, exclude_id: int | None = None) -> tuple[str, str]:
    word = LOOKUP_WORDS[model][0]
    code, name = (code or "").strip(), " ".join((name or "").split())
    if not code or not name:
        raise ValidationError(f"A {word} needs a code and a name.")
    for column, value in (("code", code), ("name", name)):
        if lookup_taken(model, column, value, exclude_id):
            raise ValidationError(f"The {word} {column} {value!r} is already used.")
    return code, name


def create_lookup(model, code: str, name: str, active: bool = True):
    """Create a department or location; code and name are each unique in any case."""
    code, name = _checked(model, code, name)
    row = model(code=code, name=name, active=active)
    with refusing_duplicates(f"The {LOOKUP_WORDS[model][0]} code or name is already used."):
        db.session.add(row)
    return row


def update_lookup(row, code: str, name: str):
    """Change a department's or location's code and name."""
    code, name = _checked(type(row), code, name, exclude_id=row.id)
    with refusing_duplicates(f"The {LOOKUP_WORDS[type(row)][0]} code or name is already used."):
        row.code, row.name = code, name
    return row


def set_lookup_active(row, active: bool):
    """Activate or deactivate: an inactive one is no longer filled in from Lever offers."""
    row.active = active
    db.session.flush()
    return row
