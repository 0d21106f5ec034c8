"""Lever integrations.

Two blueprints share the URL space /integrations/lever:
- `integration` (any signed-in HR professional): the list and each integration's Log tab;
- `integration_setup` (Administrators): the Details form, authorisation and actions.
"""

from flask import Blueprint

from lever_cezanne.core.guards import require_administrator, require_login

bp = Blueprint("integration", __name__, url_prefix="/integrations/lever")
bp.before_request(require_login)

setup_bp = Blueprint("integration_setup", __name__, url_prefix="/integrations/lever")
setup_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Register both blueprints with their views."""
    from lever_cezanne.integration import (  # noqa: F401 - the views attach to the blueprints
        error_views,
        health_views,
        log_views,
        mapping_views,
        oauth_views,
        setup_views,
        sync_views,
        views,
    )

    app.register_blueprint(bp)
    app.register_blueprint(setup_bp)
