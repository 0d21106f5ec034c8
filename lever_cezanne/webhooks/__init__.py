"""Lever's webhook receiver: public, CSRF-exempt, authenticated by the body's signature."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/cezannehr/api/v4/Lever")

from lever_cezanne.webhooks import views  # noqa: E402, F401
