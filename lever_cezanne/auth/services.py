"""Authenticate users."""

from sqlalchemy import func, select

from lever_cezanne.auth.passwords import hash_password, needs_rehash, verify_password
from lever_cezanne.extensions import db
from lever_cezanne.models import User


def find_user(username: str) -> User | None:
    """Find a user by username, case-insensitively."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def authenticate(username: str, password: str) -> User | None:
    """Return the active user these credentials belong to, upgrading an old hash."""
    user = find_user(username)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def load_user(user_id: str) -> User | None:
    """Load the user for a session id of the form '<id>.<session_version>'."""
    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
