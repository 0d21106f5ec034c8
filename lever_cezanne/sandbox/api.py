"""Lever Data API v1: envelopes, pagination, Bearer/Basic auth, rate limit and faults."""

import time

from flask import Blueprint, abort, current_app, g, jsonify, make_response, request, url_for

from . import records
from . import scopes as lever_scopes
from .seed import STAGES
from .store import NotFound

bp = Blueprint("api", __name__, url_prefix="/v1")
ALL_SCOPES = lever_scopes.KNOWN_SCOPES


def api_error(status: int, code: str, message: str):
    """Build a Lever error response."""
    return make_response(jsonify(code=code, message=message), status)


def _store():
    return current_app.extensions["lever_sandbox"]


@bp.before_request
def gate_api_call():
    """Apply latency, the token bucket, injected faults and authentication, in that order."""
    store = _store()
    with store.lock:
        store.counters["api_calls"] += 1
        settings = dict(store.settings)
        allowed = store.bucket.take()
        fault = (
            None
            if not allowed
            else store.faults.pick(settings["fault_500_rate"], settings["fault_429_rate"])
        )
        if not allowed or fault == 429:
            store.counters["rate_limited" if not allowed else "faults_429"] += 1
        elif fault == 500:
            store.counters["faults_500"] += 1
    if settings["latency_ms"]:
        time.sleep(settings["latency_ms"] / 1000)
    if not allowed or fault == 429:
        # Lever sends no Retry-After header; clients must back off on their own.
        return api_error(429, "TooManyRequests", "Rate limit exceeded, please retry later.")
    if fault == 500:
        return api_error(500, "InternalServerError", "An unexpected error occurred.")
    g.scopes = _authenticate(store)
    if g.scopes is None:
        return api_error(401, "UnauthorizedError", "The request requires authentication.")
    return None


def _authenticate(store) -> set[str] | frozenset | None:
    """Return the caller's scopes from a Bearer token or the optional API key."""
    auth = request.authorization
    if auth is None:
        return None
    if auth.type == "bearer" and auth.token:
        return store.oauth.verify(auth.token)
    api_key = store.config["API_KEY"]
    if auth.type == "basic" and api_key and auth.username == api_key:
        return ALL_SCOPES
    return None


def require_scope(scope: str) -> None:
    """Answer 403 unless the token was granted the scope (write implies read)."""
    if not lever_scopes.grants(g.scopes, scope):
        abort(api_error(403, "ForbiddenError", f"This token lacks the {scope} scope."))


def paginate(items: list):
    """Return one page in Lever's list envelope with an opaque offset token."""
    try:
        limit = int(request.args.get("limit", 100))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        abort(api_error(400, "BadRequestError", "limit must be between 1 and 100"))
    start = 0
    if "offset" in request.args:
        start = _parse_offset(request.args["offset"], items)
    page = items[start : start + limit]
    body = {"data": page, "hasNext": start + limit < len(items)}
    if body["hasNext"]:
        following = items[start + limit]
        body["next"] = f"0.{following.get('createdAt', 0)}.{start + limit}.{following['id']}"
    return jsonify(body)


def _parse_offset(token: str, items: list) -> int:
    """Read back an offset we issued; anything else is a 400."""
    parts = token.split(".")
    if len(parts) == 4 and parts[2].isdigit() and int(parts[2]) < len(items):
        return int(parts[2])
    abort(api_error(400, "BadRequestError", "Invalid offset token"))
    return 0  # pragma: no cover


def load_candidate(opportunity_id: str) -> dict:
    """Load a candidate or answer Lever's 404."""
    try:
        return _store().candidate(opportunity_id)
    except NotFound:
        abort(api_error(404, "ResourceNotFound", f"opportunities {opportunity_id} was not found"))


def _render(candidate: dict) -> dict:
    """Render an opportunity with the requested expansions."""
    opportunity_id = candidate["opportunity"]["id"]
    urls = {
        "list": url_for("candidates.candidate_list", _external=True),
        "show": url_for("candidates.candidate_list", _anchor=opportunity_id, _external=True),
    }
    return records.render_opportunity(candidate, set(request.args.getlist("expand")), urls)


@bp.get("/")
def root():
    """Name the API base URL, which is also the OAuth audience; it has no resource."""
    return api_error(404, "ResourceNotFound", "No resource at the API root")


@bp.get("/opportunities")
def opportunity_list():
    """List opportunities, oldest first, with Lever's filters (see `_matches`)."""
    require_scope("opportunities:read:admin")
    wanted = _list_filters()
    found = [c for c in reversed(_store().candidates()) if _matches(c, wanted)]
    return paginate([_render(candidate) for candidate in found])


def _epoch_ms(name: str) -> int | None:
    """Read a timestamp filter (milliseconds since the epoch); anything else is a 400."""
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit():
        abort(api_error(400, "BadRequestError", f"{name} must be a timestamp in milliseconds"))
    return int(value)


def _list_filters() -> dict:
    return {
        "contact_id": request.args.get("contact_id"),
        "archived": request.args.get("archived"),
        "reasons": set(request.args.getlist("archive_reason_id")),
        "archived_from": _epoch_ms("archived_at_start"),
        "archived_to": _epoch_ms("archived_at_end"),
    }


def _matches(candidate: dict, wanted: dict) -> bool:
    """Tell whether a candidate passes every filter given: contact_id, archived=true|false,
    archive_reason_id (repeatable: any of them), archived_at_start/_end (inclusive, in ms; only
    archived opportunities have an archive time)."""
    archived = candidate["opportunity"]["archived"]
    if wanted["contact_id"] is not None and candidate["contact"]["id"] != wanted["contact_id"]:
        return False
    if wanted["archived"] is not None and bool(archived) != (wanted["archived"] == "true"):
        return False
    if wanted["reasons"] and (not archived or archived["reason"] not in wanted["reasons"]):
        return False
    if wanted["archived_from"] is None and wanted["archived_to"] is None:
        return True
    if not archived:
        return False
    at = archived["archivedAt"]
    return (wanted["archived_from"] is None or at >= wanted["archived_from"]) and (
        wanted["archived_to"] is None or at <= wanted["archived_to"]
    )


@bp.get("/opportunities/<opportunity_id>")
def opportunity_show(opportunity_id):
    """Return one opportunity (expand=contact inlines the contact)."""
    require_scope("opportunities:read:admin")
    return jsonify(data=_render(load_candidate(opportunity_id)))


@bp.get("/opportunities/<opportunity_id>/offers")
def offer_list(opportunity_id):
    """List an opportunity's offers."""
    require_scope("offers:read:admin")

    def render(offer):
        return records.render_offer(
            offer,
            lambda status: url_for(
                "documents_api.offer_download",
                opportunity_id=opportunity_id,
                offer_id=offer["id"],
                status=status,
                _external=True,
            ),
        )

    return paginate([render(offer) for offer in load_candidate(opportunity_id)["offers"]])


@bp.get("/contacts/<contact_id>")
def contact_show(contact_id):
    """Return one contact."""
    require_scope("contact:read:admin")
    store = _store()
    with store.lock:
        for candidate in store.state["candidates"].values():
            if candidate["contact"]["id"] == contact_id:
                return jsonify(data=records.render_contact(candidate))
    return api_error(404, "ResourceNotFound", f"contacts {contact_id} was not found")


@bp.get("/archive_reasons")
def archive_reason_list():
    """List archive reasons, optionally only type=hired or type=non-hired."""
    require_scope("archive_reasons:read:admin")
    with _store().lock:
        reasons = [dict(reason) for reason in _store().state["archive_reasons"]]
    if request.args.get("type"):
        reasons = [reason for reason in reasons if reason["type"] == request.args["type"]]
    return paginate(reasons)


@bp.get("/users")
def user_list():
    """List active users (includeDeactivated=true adds the rest); email filters exactly."""
    require_scope("users:read:admin")
    with _store().lock:
        users = [dict(user) for user in _store().state["users"]]
    if request.args.get("includeDeactivated") != "true":
        users = [user for user in users if user["deactivatedAt"] is None]
    if request.args.get("email"):
        users = [user for user in users if user["email"] == request.args["email"].lower()]
    return paginate(users)


@bp.get("/users/<user_id>")
def user_show(user_id):
    """Return one user, deactivated or not."""
    require_scope("users:read:admin")
    with _store().lock:
        for user in _store().state["users"]:
            if user["id"] == user_id:
                return jsonify(data=dict(user))
    return api_error(404, "ResourceNotFound", f"users {user_id} was not found")


@bp.get("/stages")
def stage_list():
    """List the pipeline stages (built-in ones have slug ids)."""
    require_scope("stages:read:admin")
    return paginate([dict(stage) for stage in STAGES])
