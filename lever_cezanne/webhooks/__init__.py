"""Lever's webhook receiver: public, CSRF-exempt, authenticated by the body's signature."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/cezannehr/api/v4/Lever")


def init_app(app) -> None:
    """Register the blueprint with its views."""
    from lever_cezanne.webhooks import views  # noqa: F401 - the views attach to the blueprint

    app.register_blueprint(bp)
