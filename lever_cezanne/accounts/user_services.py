"""Create and change user accounts: details, role, access, password. Flushes, never commits."""

from sqlalchemy import select

from lever_cezanne.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from lever_cezanne.accounts.services import end_sessions
from lever_cezanne.core.validation import Unique, ValidationError, saving_unique
from lever_cezanne.extensions import db
from lever_cezanne.models import User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import ROLE_ADMINISTRATOR, ROLES

UNIQUE = (
    Unique(
        "uq_users_username_lower",
        "username",
        "The username '{value}' is already taken (perhaps by a deleted user). Choose another.",
    ),
    Unique(
        "uq_users_email_lower",
        "email",
        "Another user already has the e-mail '{value}' (perhaps a deleted user). Each user needs "
        "their own address.",
    ),
)
LAST_ADMINISTRATOR = (
    "{name} is the last active Administrator, so this would leave nobody able to manage users, "
    "companies and integrations. Make another user an Administrator first."
)


def _active_administrator_ids() -> list[int]:
    # FOR UPDATE (PostgreSQL) on every active Administrator, the target included: two
    # Administrators removing each other at the same moment are serialised, and the second one
    # re-reads the first one's row and sees it is no longer an active Administrator.
    query = (
        select(User.id)
        .where(User.role == ROLE_ADMINISTRATOR, User.active.is_(True), User.deleted_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    )
    return list(db.session.scalars(query))


def ensure_not_last_administrator(user: User) -> None:
    """Refuse to remove the last active Administrator's rights or access."""
    if not (user.is_administrator and user.is_active):
        return
    if not [other for other in _active_administrator_ids() if other != user.id]:
        raise ValidationError(LAST_ADMINISTRATOR.format(name=user.display_name))


def update_user(user: User, username: str, display_name: str, email: str | None, role: str) -> None:
    """Change a user's details and role; the last active Administrator keeps the role."""
    username = username.strip()
    if role not in ROLES:
        raise ValidationError("Choose a role: Administrator or HR Professional.")
    email = (email or "").strip() or None
    if role != ROLE_ADMINISTRATOR:
        ensure_not_last_administrator(user)
    with saving_unique(*UNIQUE, username=username, email=email):
        user.username, user.display_name = username, display_name.strip() or username
        user.email, user.role = email, role


def _ensure_not_self(user: User, actor: User | None, action: str) -> None:
    if actor is not None and actor.id == user.id:
        raise ValidationError(
            f"You cannot {action} your own account while signed in with it. "
            "Ask another Administrator to do it."
        )


def set_user_active(user: User, active: bool, actor: User | None = None) -> None:
    """Reactivate or deactivate a user; deactivation signs them out everywhere."""
    if not active:
        _ensure_not_self(user, actor, "deactivate")
        ensure_not_last_administrator(user)
        end_sessions(user)
    user.active = active
    db.session.flush()


def delete_user(user: User, actor: User | None = None) -> None:
    """Soft-delete a user: the account stays for history, it cannot sign in or be chosen."""
    _ensure_not_self(user, actor, "delete")
    ensure_not_last_administrator(user)
    end_sessions(user)
    user.active = False
    user.deleted_at = utcnow()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Set a new password and sign the user out of every other session."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.flush()


def create_user(username, password, role, display_name=None, email=None) -> User:
    """Create a user with a hashed password."""
    username = username.strip()
    if not username:
        raise ValidationError("A username is required.")
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    email = (email or "").strip() or None
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        email=email,
        password_hash=hash_password(password),
        role=role,
    )
    with saving_unique(*UNIQUE, username=username, email=email):
        db.session.add(user)
    return user
