"""Load rows by id for views, treating soft-deleted rows as gone."""

from typing import TypeVar

from flask import abort

from lever_cezanne.extensions import db

Row = TypeVar("Row")


def get_live_or_404(model: type[Row], ident: int) -> Row:
    """Return the row that is not deleted, or answer 404: deleted rows are history only."""
    row = db.get_or_404(model, ident)
    if row.deleted_at is not None:
        abort(404)
    return row
