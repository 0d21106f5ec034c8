"""Lever integrations: the list and each integration's Log tab, for every HR professional."""

from flask import Blueprint

from lever_cezanne.auth.guards import require_login

bp = Blueprint("integration", __name__, url_prefix="/integrations/lever")
bp.before_request(require_login)

from lever_cezanne.integration import log_views, views  # noqa: E402, F401
