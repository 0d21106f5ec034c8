"""Lever record ids: checked before one reaches a URL, a database column or the Log tab.

Lever documents its ids as UUIDs. We accept a little more (letters, digits, ``-`` and ``_``, up
to 64 characters) so a test account or a future id format still works, but never anything that
could change the URL it is put in: no ``.`` or ``..`` (which would make ``/opportunities/..``
the opportunity list, or ``/v1/``), no ``/``, ``%``, ``?``, ``#``, whitespace or control
characters.
"""

import re

MAX_ID_LENGTH = 64
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def is_lever_id(value) -> bool:
    """Tell whether a value is safe to use as a Lever id (a single, inert URL path segment)."""
    return isinstance(value, str) and _ID_PATTERN.fullmatch(value) is not None


def lever_id_or_none(value) -> str | None:
    """Return the value if it is a usable Lever id, else None."""
    return value if is_lever_id(value) else None
