"""Find HR Professional users by name, username or e-mail: the user picker and form validation."""

from sqlalchemy import func, select
from wtforms.validators import ValidationError as WTFormsValidationError

from lever_cezanne.core.search import PICKER_LIMIT
from lever_cezanne.core.word_search import search_by_words
from lever_cezanne.extensions import db
from lever_cezanne.models import User
from lever_cezanne.models.org import ROLES


def _hr_professionals():
    # Administrators are HR Professionals too, so every role qualifies.
    return select(User).where(
        User.active.is_(True), User.deleted_at.is_(None), User.role.in_(tuple(ROLES))
    )


def search_hr_professionals(q: str, limit: int = PICKER_LIMIT) -> list[User]:
    """Return active HR Professionals with a word of the name, username or e-mail starting q's.

    Accents and case are ignored: "smi", "o'b" and "elodie" find "Élodie O'Brien-Smith".
    """
    found = search_by_words(_hr_professionals(), User, q, limit)
    return sorted(found, key=lambda user: (user.display_name.lower(), user.id))


def find_hr_professional(typed: str) -> User | None:
    """Resolve what a user typed (a username, a unique e-mail or display name) to a user."""
    typed = typed.strip().lower()
    if not typed:
        return None
    user = db.session.scalar(_hr_professionals().where(func.lower(User.username) == typed))
    if user is not None:
        return user
    for column in (User.email, User.display_name):
        found = db.session.scalars(
            _hr_professionals().where(func.lower(column) == typed).limit(2)
        ).all()
        if len(found) == 1:
            return found[0]
    return None


def user_not_found_message(typed: str) -> str:
    """Say why a typed user was refused and what to do."""
    username = typed.strip()
    unusable = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if unusable is not None:
        state = "deleted" if unusable.deleted_at else "deactivated"
        return (
            f"The user '{unusable.username}' is {state}. Choose an active HR Professional, "
            "or ask an Administrator to reactivate the account."
        )
    return (
        f"No active HR Professional has the username '{username}'. "
        "Type a name, username or e-mail and choose from the list."
    )


class ActiveHRProfessional:
    """WTForms validator: the field must name an active HR Professional; it sets field.user."""

    def __call__(self, form, field) -> None:
        field.user = find_hr_professional(field.data or "")
        if field.user is None:
            raise WTFormsValidationError(user_not_found_message(field.data or ""))


def user_result(user: User) -> dict:
    """Return the picker's JSON for one user."""
    label = f"{user.display_name} ({user.username})"
    if user.email:
        label += f" — {user.email}"
    return {"value": user.username, "label": label}
