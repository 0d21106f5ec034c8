"""Access guards: one per blueprint, applied in its before_request."""

from flask import abort
from flask_login import current_user

from lever_cezanne.extensions import login_manager


def require_login():
    """Send anonymous users to the login page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require_administrator():
    """Allow only signed-in Administrators; others get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_administrator:
        abort(403)
    return None
