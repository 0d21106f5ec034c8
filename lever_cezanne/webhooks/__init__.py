"""Lever's webhook receiver: public, CSRF-exempt, authenticated by the body's signature."""

from flask import Blueprint

from lever_cezanne import jobs

bp = Blueprint("webhooks", __name__, url_prefix="/cezannehr/api/v4/Lever")
# The receiver enqueues jobs, so the app gets its job runner along with this blueprint.
bp.record_once(lambda state: jobs.init_app(state.app))

from lever_cezanne.webhooks import views  # noqa: E402, F401
