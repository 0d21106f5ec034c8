"""The signed-in user's in-app notifications."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from lever_cezanne.extensions import db
from lever_cezanne.processes import bp, notifications


@bp.app_context_processor
def _unread_notifications() -> dict:
    def unread() -> int:
        return notifications.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notifications": unread}


@bp.route("/notifications")
def notifications_index():
    """List the user's notifications, unread first."""
    return render_template(
        "processes/notifications/index.html", notifications=notifications.latest(current_user)
    )


@bp.route("/notifications/read", methods=["POST"])
def notifications_read():
    """Mark every notification read."""
    notifications.mark_all_read(current_user)
    db.session.commit()
    flash("All notifications are marked read.", "success")
    return redirect(url_for("processes.notifications_index"))
