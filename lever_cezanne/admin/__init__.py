"""Users, companies and New Starter processes: Administrators only."""

from flask import Blueprint

from lever_cezanne.auth.guards import require_administrator

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_administrator)

from lever_cezanne.admin import search_views, views  # noqa: E402, F401
