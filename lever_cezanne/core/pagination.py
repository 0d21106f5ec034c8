"""Keyset pagination: pages stay fast however many rows there are (no OFFSET, no COUNT)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, tuple_

from lever_cezanne.extensions import db
from lever_cezanne.ids import MAX_ID

PER_PAGE = 50
MAX_PAGE_NUMBER = 100_000


def positive_id(raw) -> int | None:
    """Parse a positive id a database can compare; None for anything else (e.g. 10**40)."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def page_number(args) -> int:
    """Return ?page= as a number from 1; a bad or absurd page means the first or the last."""
    number = positive_id(args.get("page")) or 1
    return min(number, MAX_PAGE_NUMBER)


def numbered_page(query: Select, per_page: int = PER_PAGE):
    """Return the ?page= page of a short list (OFFSET), bounded so no page number can fail."""
    return db.paginate(query, page=page_number(request.args), per_page=per_page, error_out=False)


@dataclass
class KeysetPage:
    """One page of rows, with cursors for the pages before and after it (None at either end)."""

    items: list
    newer: str | None = None
    older: str | None = None

    @property
    def has_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def _encode(values: Sequence) -> str:
    return ".".join(str(v) for v in values)


def _decode(raw: str | None, types: Sequence[Callable]) -> tuple | None:
    """Parse a cursor like "open.123"; a tampered or stale cursor just means the first page."""
    if not raw:
        return None
    parts = raw.split(".")
    if len(parts) != len(types):
        return None
    try:
        values = tuple(
            positive_id(part) if kind is int else kind(part)
            for kind, part in zip(types, parts, strict=True)
        )
    except ValueError:
        return None
    return None if None in values else values


def keyset_page(
    query: Select,
    keys: Sequence,
    key_of: Callable[[object], tuple],
    types: Sequence[Callable],
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
    descending: bool = True,
    bound_of: Callable[[tuple], tuple] | None = None,
) -> KeysetPage:
    """Return the page of `query` ordered by `keys` (all one direction) after or before a cursor.

    `bound_of` turns a cursor's values into what the keys are compared with, when a key is an
    SQL expression of the row (lower(name): the cursor keeps the name, the database lowers it).
    """
    key = tuple_(*keys) if len(keys) > 1 else keys[0]
    after_values, before_values = _decode(after, types), _decode(before, types)

    def sql(bound):
        if bound_of is None:
            return bound
        bound = bound_of(bound if len(keys) > 1 else (bound,))
        return tuple_(*bound) if len(keys) > 1 else bound[0]

    def beyond(bound):  # rows that come later in the page order
        return key < sql(bound) if descending else key > sql(bound)

    def ahead(bound):  # rows that come earlier in the page order
        return key > sql(bound) if descending else key < sql(bound)

    def forwards(k):
        return k.desc() if descending else k.asc()

    def backwards(k):
        return k.asc() if descending else k.desc()

    if before_values is not None:
        bound = before_values if len(keys) > 1 else before_values[0]
        rows = _rows(query.where(ahead(bound)).order_by(*(backwards(k) for k in keys)), per_page)
        rows.reverse()
        more_newer = len(rows) > per_page
        items = rows[-per_page:] if more_newer else rows
        newer = _encode(key_of(items[0])) if more_newer and items else None
        older = _encode(key_of(items[-1])) if items else None
        return KeysetPage(items, newer=newer, older=older)
    if after_values is not None:
        bound = after_values if len(keys) > 1 else after_values[0]
        query = query.where(beyond(bound))
    rows = _rows(query.order_by(*(forwards(k) for k in keys)), per_page)
    items = rows[:per_page]
    newer = _encode(key_of(items[0])) if after_values is not None and items else None
    older = _encode(key_of(items[-1])) if len(rows) > per_page else None
    return KeysetPage(items, newer=newer, older=older)


def _rows(query: Select, per_page: int) -> list:
    # One extra row tells whether another page follows, without counting.
    return list(db.session.scalars(query.limit(per_page + 1)))
