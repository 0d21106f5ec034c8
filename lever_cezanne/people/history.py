"""A person's change history: who changed which field, when, from what to what."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lever_cezanne.core.template_filters import DATE_FORMAT
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, Gender, Person, PersonChange, User

HISTORY_LIMIT = 200


def display_value(value) -> str | None:
    """Return how a stored value reads in the history (dates as 02 Sep 2024, picklists by name)."""
    if value is None or value == "":
        return None
    if isinstance(value, Gender):
        return value.description
    if isinstance(value, Company):
        return value.label
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def record_change(person: Person, user: User | None, field: str, old, new) -> PersonChange | None:
    """Add one history row when a field's shown value really changed."""
    before, after = display_value(old), display_value(new)
    if before == after:
        return None
    change = PersonChange(
        person_id=person.id,
        user_id=user.id if user else None,
        field=field,
        old_value=before,
        new_value=after,
    )
    db.session.add(change)
    return change


def person_history(person: Person) -> list[PersonChange]:
    """Return the person's latest changes, newest first."""
    query = (
        select(PersonChange)
        .where(PersonChange.person_id == person.id)
        .options(joinedload(PersonChange.user))
        .order_by(PersonChange.changed_at.desc(), PersonChange.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return list(db.session.scalars(query))
