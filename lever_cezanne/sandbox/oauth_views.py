"""OAuth endpoints: /authorize (with the consent screen) and /oauth/token."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from . import scopes as lever_scopes
from .oauth import ClientError, RedirectError, TokenError, with_query

bp = Blueprint("oauth", __name__)


def _store():
    return current_app.extensions["lever_sandbox"]


def expected_audience() -> str:
    """Return the audience apps must ask for: AUDIENCE, or this sandbox's API base URL."""
    return current_app.config["LEVER_SANDBOX"]["AUDIENCE"] or url_for("api.root", _external=True)


@bp.get("/authorize")
def authorize():
    """Validate the request and show the consent screen."""
    oauth = _store().oauth
    try:
        auth_request = oauth.check_authorize(request.args, expected_audience())
    except ClientError as exc:
        # Never redirect to a URI that was not registered: it could be an attacker's.
        page = render_template("sandbox/oauth/error.html", message=str(exc))
        return make_response(page, 400)
    except RedirectError as exc:
        params = {"error": exc.error, "error_description": exc.description}
        return redirect(with_query(request.args["redirect_uri"], params | _state()))
    # prompt=consent is accepted and ignored: the consent screen is always shown.
    transaction = oauth.begin_consent(auth_request)
    permissions = [(scope, lever_scopes.describe(scope)) for scope in auth_request["scopes"]]
    return render_template(
        "sandbox/oauth/consent.html",
        client_id=auth_request["client_id"],
        redirect_uri=auth_request["redirect_uri"],
        permissions=permissions,
        transaction=transaction,
    )


def _state() -> dict:
    """Echo state back with errors when the app sent one."""
    return {"state": request.args["state"]} if request.args.get("state") else {}


@bp.post("/authorize")
def authorize_decision():
    """Accept or deny a consent screen and redirect back to the app."""
    accept = request.form.get("decision") == "accept"
    target = _store().oauth.decide(request.form.get("transaction", ""), accept)
    if target is None:
        message = "This authorization request has expired or was already answered."
        return make_response(render_template("sandbox/oauth/error.html", message=message), 400)
    return redirect(target)


@bp.post("/oauth/token")
def token():
    """Exchange a code or a refresh token; the body may be a form or JSON."""
    params = dict(request.form.items())
    if request.is_json:
        body = request.get_json(silent=True)
        params = (
            {k: v for k, v in body.items() if isinstance(v, str)} if isinstance(body, dict) else {}
        )
    auth = request.authorization
    if auth is not None and auth.type == "basic" and "client_id" not in params:
        params.update(client_id=auth.username, client_secret=auth.password)
    issuer = url_for("oauth.authorize", _external=True).rsplit("authorize", 1)[0]
    try:
        body = _store().oauth.token(params, issuer)
    except TokenError as exc:
        return make_response(jsonify(exc.body), exc.status)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
