"""Create and change Departments and Locations. Services flush, never commit."""

from sqlalchemy import func, select

from lever_cezanne.core.validation import Unique, ValidationError, saving_unique
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location

# What each lookup is called in messages: singular, plural.
LOOKUP_WORDS = {Department: ("department", "departments"), Location: ("location", "locations")}


def lookup_taken(model, column: str, value: str) -> bool:
    """Return whether another row already has this code or name, in any case (for the demo's
    seed, which skips what is there; saving relies on the unique indexes)."""
    attribute = getattr(model, column)
    query = select(model.id).where(func.lower(attribute) == value.strip().lower())
    return db.session.scalar(query) is not None


def _unique(model) -> tuple[Unique, Unique]:
    word, table = LOOKUP_WORDS[model][0], model.__tablename__
    return tuple(
        Unique(
            f"uq_{table}_{column}_lower",
            column,
            f"Another {word} already has the {column} '{{value}}' (the same whatever its case). "
            f"Choose another {column}.",
        )
        for column in ("code", "name")
    )


def _checked(model, code: str, name: str) -> tuple[str, str]:
    word = LOOKUP_WORDS[model][0]
    code, name = (code or "").strip(), " ".join((name or "").split())
    if not code or not name:
        raise ValidationError(f"A {word} needs a code and a name.")
    return code, name


def create_lookup(model, code: str, name: str, active: bool = True):
    """Create a department or location; code and name are each unique in any case."""
    code, name = _checked(model, code, name)
    row = model(code=code, name=name, active=active)
    with saving_unique(*_unique(model), code=code, name=name):
        db.session.add(row)
    return row


def update_lookup(row, code: str, name: str):
    """Change a department's or location's code and name."""
    code, name = _checked(type(row), code, name)
    with saving_unique(*_unique(type(row)), code=code, name=name):
        row.code, row.name = code, name
    return row


def set_lookup_active(row, active: bool):
    """Activate or deactivate: an inactive one is no longer filled in from Lever offers."""
    row.active = active
    db.session.flush()
    return row
