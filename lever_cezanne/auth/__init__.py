"""Login, logout and the role guards every other blueprint uses."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from lever_cezanne.auth import views  # noqa: E402, F401
