"""The error services raise for input that cannot be saved, and the savepoint that raises it."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from lever_cezanne.extensions import db


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
