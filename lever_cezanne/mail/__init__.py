"""E-mail: the outbox, sending in the background, alerts, and the Outbox page.

`mail_user(user, subject, text, html, kind=..., dedupe_key=...)` is the one call other
packages need: it queues a mail to a user, to be sent once the caller commits.
"""

from flask import Blueprint, Flask

from lever_cezanne.core.guards import require_administrator
from lever_cezanne.mail import sending
from lever_cezanne.mail.outbox import queue_mail
from lever_cezanne.models import OutboxMail, User

bp = Blueprint("mail", __name__, url_prefix="/outbox")
bp.before_request(require_administrator)

__all__ = ["bp", "init_app", "mail_user", "reachable"]


def init_app(app: Flask) -> None:
    """Send each transaction's mail after it commits, and serve the Outbox page."""
    from lever_cezanne.mail import views  # noqa: F401 - the views attach to the blueprint

    sending.init_app(app)
    app.register_blueprint(bp)


def reachable(user: User | None) -> bool:
    """Whether mail_user would mail this user (active, with an address): ask before rendering."""
    return user is not None and user.is_active and bool(user.email)


def mail_user(
    user: User, subject: str, text: str, html: str, *, kind: str, dedupe_key: str | None = None
) -> OutboxMail | None:
    """Queue a mail to an active user with an address; flushes, and sends after the commit."""
    if not reachable(user):
        return None
    return queue_mail(
        [user.email], subject, text, html, kind=kind, dedupe_key=dedupe_key, user_id=user.id
    )
