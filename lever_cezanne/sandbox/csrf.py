"""CSRF guards for the simulator: tokens on its HTML forms, JSON-only for its /_admin/ API."""

import secrets

from flask import abort, jsonify, make_response, request, session

# Blueprints whose POSTs come from our own HTML forms; the token endpoint, the API and
# the admin JSON are called by programs and have no session.
PROTECTED_BLUEPRINTS = {"candidates", "settings"}
PROTECTED_ENDPOINTS = {"oauth.authorize_decision"}
FIELD = "csrf_token"


def csrf_token() -> str:
    """Return this session's form token, creating it on first use."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(24)
    return session[FIELD]


def check_csrf() -> None:
    """Reject a form POST whose token does not match the session's."""
    if request.method != "POST":
        return
    if request.blueprint not in PROTECTED_BLUEPRINTS and request.endpoint not in (
        PROTECTED_ENDPOINTS
    ):
        return
    sent = request.form.get(FIELD, "")
    expected = session.get(FIELD, "")
    if not expected or not secrets.compare_digest(sent, expected):
        abort(400, description="The form expired or did not come from this simulator.")


def check_admin_origin():
    """Refuse an /_admin/ POST another site's page could have sent.

    A cross-site page can POST a form or text/plain without asking, but not application/json
    (that needs a CORS preflight this simulator never grants); browsers also say where the
    request came from in Sec-Fetch-Site. Programs (tests, benchmarks) send JSON and no such header.
    """
    if request.method != "POST" or request.blueprint != "admin":
        return None
    if request.headers.get("Sec-Fetch-Site", "none") not in ("same-origin", "none"):
        return make_response(jsonify(error="Cross-site requests to /_admin/ are refused."), 403)
    if request.mimetype != "application/json":
        message = "Send a JSON body with Content-Type: application/json ({} when there is nothing)."
        return make_response(jsonify(error=message), 415)
    return None


def init_app(app) -> None:
    """Check tokens and origins before every request; expose csrf_token() to templates."""
    app.before_request(check_csrf)
    app.before_request(check_admin_origin)
    app.jinja_env.globals["csrf_token"] = csrf_token
