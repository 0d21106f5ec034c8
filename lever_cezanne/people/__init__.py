"""People: personal details, employment, job and salary, documents and history.

Two blueprints, one per role: `bp` for every signed-in user, `admin_bp` (under /admin) for
Administrators only. The guard is the blueprint's, so no route can be added without one.
"""

from flask import Blueprint

from lever_cezanne.core.guards import require_administrator, require_login

bp = Blueprint("people", __name__)
bp.before_request(require_login)
admin_bp = Blueprint("people_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Register the package's blueprints with their views."""
    from lever_cezanne.people import admin_views, document_views, views  # noqa: F401 - the views attach to the blueprints

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
