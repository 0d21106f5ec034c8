"""A person's Documents: download one, streamed from the database in chunks."""

from urllib.parse import quote

from flask import Response, abort, current_app
from flask_login import current_user
from sqlalchemy import func, select

from lever_cezanne.extensions import db
from lever_cezanne.models import Document, Task, User
from lever_cezanne.people import bp

CHUNK = 256 * 1024


def may_download(person_id: int, user: User) -> bool:
    """Administrators, and the hire's New Hire Administrator (a New Starter task's assignee)."""
    if user.is_administrator:
        return True
    assigned = db.session.scalar(
        select(Task.id).where(Task.person_id == person_id, Task.assignee_id == user.id).limit(1)
    )
    return assigned is not None


def _disposition(name: str) -> str:
    """An attachment header naming the file (ASCII fallback plus the UTF-8 name, RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _chunks(app, document_id: int, size: int):
    """Yield the stored bytes a slice at a time, so a 20 MB file is never held whole.

    The body is sent after the view returns: each slice is read in a short app context of its
    own, so a client that stops reading leaves no context or transaction open.
    """
    for start in range(0, size, CHUNK):
        with app.app_context():
            piece = db.session.scalar(
                select(func.substr(Document.content, start + 1, CHUNK)).where(
                    Document.id == document_id
                )
            )
        yield piece


@bp.route("/people/<int:person_id>/documents/<int:document_id>")
def document_download(person_id: int, document_id: int):
    """Download one of a person's Documents as an attachment, with its stored content type."""
    document = db.get_or_404(Document, document_id)
    if document.person_id != person_id:
        abort(404)
    if not may_download(person_id, current_user):
        abort(403)
    response = Response(
        _chunks(current_app._get_current_object(), document.id, document.size),
        mimetype=document.content_type,
    )
    response.headers["Content-Length"] = str(document.size)
    response.headers["Content-Disposition"] = _disposition(document.name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
