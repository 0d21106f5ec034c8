"""The organisation: companies, departments, locations, and the Gender picklist.

`bp` (every signed-in user) answers the company picker; `admin_bp` (under /admin,
Administrators only) edits companies, departments, locations and genders.
"""

from flask import Blueprint

from lever_cezanne.core.guards import require_administrator, require_login

bp = Blueprint("org", __name__)
bp.before_request(require_login)
admin_bp = Blueprint("org_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Register the package's blueprints with their views."""
    from lever_cezanne.org import (  # noqa: F401 - the views attach to the blueprints
        company_views,
        gender_views,
        lookup_views,
        search_views,
    )

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
