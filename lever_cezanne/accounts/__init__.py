"""Accounts: users, their roles, signing in and out.

`bp` (under /auth, open to anonymous visitors) signs in and out; `admin_bp` (under /admin,
Administrators only) manages users and answers the user picker.
"""

from flask import Blueprint

from lever_cezanne.core.guards import require_administrator

bp = Blueprint("accounts", __name__, url_prefix="/auth")
admin_bp = Blueprint("accounts_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Register the package's blueprints with their views."""
    from lever_cezanne.accounts import login_views, search_views, user_views  # noqa: F401 - the views attach to the blueprints

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
