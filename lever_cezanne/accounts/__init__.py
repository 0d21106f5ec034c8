"""Accounts: users, their roles, signing in and out.

`bp` (under /auth, open to anonymous visitors) signs in and out; `admin_bp` (under /admin,
Administrators only) manages users and answers the user picker.
"""

from flask import Blueprint

from lever_cezanne.accounts import throttle
from lever_cezanne.core.guards import require_administrator
from lever_cezanne.extensions import login_manager

bp = Blueprint("accounts", __name__, url_prefix="/auth")
admin_bp = Blueprint("accounts_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Set up signing in (the login page, the user loader, the throttle) and the blueprints."""
    from lever_cezanne.accounts import login_views, search_views, user_views  # noqa: F401 - the views attach to the blueprints
    from lever_cezanne.accounts.services import load_user

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    throttle.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
