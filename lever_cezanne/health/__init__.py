"""GET /healthz: is the app able to take and process hires? Public, cheap, no secrets."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from lever_cezanne.health import views  # noqa: E402, F401
