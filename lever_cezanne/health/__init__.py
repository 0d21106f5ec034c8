"""GET /healthz: is the app able to take and process hires? Public, cheap, no secrets."""

from flask import Blueprint

bp = Blueprint("health", __name__)


def init_app(app) -> None:
    """Register the blueprint with its views."""
    from lever_cezanne.health import views  # noqa: F401 - the views attach to the blueprint

    app.register_blueprint(bp)
