"""Create and change users, companies and process definitions. Services flush, never commit."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lever_cezanne.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, ProcessDefinition, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import ROLES
from lever_cezanne.models.processes import PROCESS_TYPES
from lever_cezanne.processes.defaults import seed_default_steps


class ValidationError(ValueError):
    """Input that cannot be saved, with a message that says what to do."""


@contextmanager
def refusing_duplicates(message: str) -> Iterator[None]:
    """Make changes in a savepoint; if a unique index refuses them, raise ValidationError.

    The Python checks catch duplicates first; this catches the one saved concurrently between
    the check and the flush, and leaves the session usable (only the savepoint rolls back).
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def username_taken(username: str, exclude_id: int | None = None) -> bool:
    """Return whether another user already has this username, in any case."""
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) is not None


def email_taken(email: str | None, exclude_id: int | None = None) -> bool:
    """Return whether another user (deleted ones too) already has this e-mail, in any case."""
    email = (email or "").strip()
    if not email:
        return False
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) is not None


def email_taken_message(email: str) -> str:
    return (
        f"Another user already has the e-mail {email.strip()!r} (perhaps a deleted user). "
        "Each user needs their own address."
    )


def company_code_taken(code: str, exclude_id: int | None = None) -> bool:
    """Return whether a company that is not deleted already has this code, in any case."""
    query = select(Company.id).where(
        func.lower(Company.code) == code.strip().lower(), Company.deleted_at.is_(None)
    )
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return db.session.scalar(query) is not None


def create_user(username, password, role, display_name=None, email=None) -> User:
    """Create a user with a hashed password."""
    username = username.strip()
    if not username:
        raise ValidationError("A username is required.")
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if username_taken(username):
        raise ValidationError(f"The username {username!r} is already taken.")
    email = (email or "").strip() or None
    if email_taken(email):
        raise ValidationError(email_taken_message(email))
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        email=email,
        password_hash=hash_password(password),
        role=role,
    )
    with refusing_duplicates(f"The username {username!r} or the e-mail is already taken."):
        db.session.add(user)
    return user


def create_company(code, name, active=True) -> Company:
    """Create a company with a code unique in any case."""
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError("A company needs a code and a name.")
    if company_code_taken(code):
        raise ValidationError(f"The company code {code!r} is already used by another company.")
    company = Company(code=code, name=name.strip(), active=active)
    with refusing_duplicates(f"The company code {code!r} is already used by another company."):
        db.session.add(company)
    return company


def update_company(company: Company, code: str, name: str) -> Company:
    """Change a company's code and name; the code stays unique in any case."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError("A company needs a code and a name.")
    if company_code_taken(code, exclude_id=company.id):
        raise ValidationError(f"The company code {code!r} is already used by another company.")
    with refusing_duplicates(f"The company code {code!r} is already used by another company."):
        company.code, company.name = code, name
    return company


def set_company_active(company: Company, active: bool) -> Company:
    """Activate or deactivate a company; inactive companies take no new Employment Details."""
    company.active = active
    db.session.flush()
    return company


def delete_company(company: Company) -> Company:
    """Soft-delete a company: its history stays, it leaves every list and picker."""
    company.deleted_at = utcnow()
    company.active = False
    db.session.flush()
    return company


def create_process_definition(name, type_, active=True) -> ProcessDefinition:
    """Create a New Starter process definition with the default checklist."""
    if type_ not in PROCESS_TYPES:
        raise ValidationError(
            f"Unknown process type {type_!r}: use one of {', '.join(PROCESS_TYPES)}."
        )
    if not name.strip():
        raise ValidationError("A process definition needs a name.")
    definition = ProcessDefinition(name=name.strip(), type=type_, active=active)
    db.session.add(definition)
    db.session.flush()
    seed_default_steps(definition)
    return definition


def update_process_definition(definition: ProcessDefinition, name, type_, active) -> None:
    """Change a process definition's name, type and whether it is active."""
    if type_ not in PROCESS_TYPES:
        raise ValidationError(
            f"Unknown process type {type_!r}: use one of {', '.join(PROCESS_TYPES)}."
        )
    if not name.strip():
        raise ValidationError("A process definition needs a name.")
    definition.name, definition.type, definition.active = name.strip(), type_, active
    db.session.flush()


def set_process_active(definition: ProcessDefinition, active: bool) -> None:
    """Activate or deactivate a process definition."""
    definition.active = active
    db.session.flush()
