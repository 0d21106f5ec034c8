"""Authenticate users."""

from sqlalchemy import func, select

from lever_cezanne.accounts.passwords import hash_password, needs_rehash, verify_password
from lever_cezanne.extensions import db
from lever_cezanne.models import User


def find_user(username: str) -> User | None:
    """Find a user by username, case-insensitively."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def authenticate(user: User | None, password: str) -> User | None:
    """Return the user if the password is theirs and they are active, upgrading an old hash.

    Takes the user found by find_user (None when nobody has the name): the throttle needs the
    account before the password is checked. An unknown name costs the same time as a known one.
    """
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: sessions carry the old version and stop working."""
    user.session_version += 1


def load_user(user_id: str) -> User | None:
    """Load the user for a session id of the form '<id>.<session_version>'."""
    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
