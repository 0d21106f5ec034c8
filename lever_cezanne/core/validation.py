"""The error services raise for input that cannot be saved, and the savepoints that raise it."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from lever_cezanne.extensions import db


class ValidationError(ValueError):
    """Input that cannot be saved, with a message that says what to do.

    `field` names the form field the message is about, when it is about one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Unique:
    """A unique index, the form field it guards, and what to tell whoever typed a taken value.

    `message` is formatted with the value that was typed, e.g. "... the code '{value}' ...".
    """

    index: str
    field: str
    message: str


@contextmanager
def refusing_duplicates(message: str) -> Iterator[None]:
    """Make changes in a savepoint; if a unique index refuses them, raise ValidationError.

    Catches the duplicate saved concurrently, and leaves the session usable (only the savepoint
    rolls back).
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        raise ValidationError(message) from exc


@contextmanager
def saving_unique(*rules: Unique, **typed: str | None) -> Iterator[None]:
    """Make changes in a savepoint; if one of these unique indexes refuses them, raise the
    ValidationError of that index, for its form field, naming the value typed there.

    The index is the one check: it alone also sees a row saved concurrently. Another integrity
    error is raised as it is.
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        refused = _index_name(exc)
        for rule in rules:
            if rule.index in refused:
                value = typed.get(rule.field) or ""
                raise ValidationError(rule.message.format(value=value), rule.field) from exc
        raise


def _index_name(exc: IntegrityError) -> str:
    """PostgreSQL names the index; SQLite's message does ("... failed: index 'uq_...'")."""
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None) or str(exc.orig)
