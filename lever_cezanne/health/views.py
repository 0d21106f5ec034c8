"""The health check endpoint."""

from flask import jsonify

from lever_cezanne.health import bp
from lever_cezanne.health.services import health_report


@bp.get("/healthz")
def healthz():
    """Report the database, Redis and the delivery backlog as JSON, for the router and operators."""
    report, status = health_report()
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response, status
