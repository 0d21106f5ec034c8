"""In-app notifications: add one, count the unread, mark them read. Services flush, never commit."""

from sqlalchemy import func, select, update

from lever_cezanne.extensions import db
from lever_cezanne.models import Notification, User
from lever_cezanne.models.base import utcnow

LIST_LIMIT = 100


def notify(user_id: int, message: str, url: str) -> Notification:
    """Leave a message for a user, shown with a count in their navigation."""
    notification = Notification(user_id=user_id, message=message[:500], url=url)
    db.session.add(notification)
    db.session.flush()
    return notification


def unread_count(user: User) -> int:
    """Return how many notifications the user has not read."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def latest(user: User) -> list[Notification]:
    """Return the user's latest notifications, unread first, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(query))


def mark_all_read(user: User) -> None:
    """Mark every unread notification of the user read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
