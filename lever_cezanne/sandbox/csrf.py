"""A minimal CSRF guard for the simulator's HTML forms (no Flask-WTF dependency here)."""

import secrets

from flask import abort, request, session

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


def init_app(app) -> None:
    """Check tokens before every request and expose csrf_token() to templates."""
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
