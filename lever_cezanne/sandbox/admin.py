"""The JSON machine interface under /_admin/ for tests and benchmarks."""

from flask import Blueprint, current_app, jsonify, make_response, request

from .seed import CANDIDATES, opportunity_id
from .store import AlreadyHired, NotFound

bp = Blueprint("admin", __name__, url_prefix="/_admin")
SETTING_KEYS = ("fault_500_rate", "fault_429_rate", "latency_ms")


def _store():
    return current_app.extensions["lever_sandbox"]


def _body() -> dict:
    """Return the JSON object sent, or an empty one."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _error(status: int, message: str):
    return make_response(jsonify(error=message), status)


def delivery_summary(delivery: dict) -> dict:
    """Summarise a delivery: last status code or error and the attempt count."""
    last = delivery["attempts"][-1] if delivery["attempts"] else {}
    return {
        key: delivery[key]
        for key in ("id", "event", "opportunity_id", "candidate_name", "status", "created_at")
    } | {
        "attempts": len(delivery["attempts"]),
        "last_status_code": last.get("status_code"),
        "last_error": last.get("error"),
        "rerun_of": delivery.get("rerun_of"),
    }


def candidate_summary(candidate: dict) -> dict:
    """Summarise a candidate for tests: ids, stage, archive state, offers, resumes and notes."""
    opportunity = candidate["opportunity"]
    return {
        "id": opportunity["id"],
        "contact_id": candidate["contact"]["id"],
        "name": opportunity["name"],
        "stage": opportunity["stage"],
        "archived": opportunity["archived"],
        "emails": opportunity["emails"],
        "phones": opportunity["phones"],
        "offers": [
            {"id": offer["id"], "status": offer["status"], "start_date": _start(offer)}
            for offer in candidate["offers"]
        ],
        "resumes": [resume["file"]["name"] for resume in candidate.get("resumes", [])],
        "notes": [note["fields"][0]["value"] for note in candidate.get("notes", [])],
    }


def _start(offer: dict):
    return next(
        (f["value"] for f in offer["fields"] if f["identifier"] == "anticipated_start_date"), None
    )


@bp.get("/state")
def state_show():
    """Return candidates, counters, settings, the webhook, apps and deliveries."""
    store = _store()
    with store.lock:
        counters, settings = dict(store.counters), dict(store.settings)
    return jsonify(
        candidates=[candidate_summary(c) for c in store.candidates()],
        seeded={spec["name"]: opportunity_id(spec["name"]) for spec in CANDIDATES},
        counters=counters,
        settings=settings,
        webhook=store.webhook(),
        authorized_apps=store.oauth.authorized_apps(),
        deliveries=[delivery_summary(d) for d in store.delivery_log()],
    )


@bp.post("/settings")
def settings_update():
    """Set any of fault shares, latency_ms, rate_limit/rate_burst and access_token_ttl."""
    store, body = _store(), _body()
    try:
        store.set_faults(**{key: body[key] for key in SETTING_KEYS if key in body})
        if "rate_limit" in body or "rate_burst" in body:
            rate = body.get("rate_limit", store.settings["rate_limit"])
            store.set_rate_limit(rate, body.get("rate_burst"))
        if "access_token_ttl" in body:
            store.set_access_token_ttl(body["access_token_ttl"])
    except (TypeError, ValueError) as exc:
        return _error(400, f"invalid setting: {exc}")
    return jsonify(settings=dict(store.settings))


@bp.post("/candidates")
def candidate_create():
    """Add a candidate from a spec {name, emails, phones, location, offer}."""
    body = _body()
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        return _error(400, "name is required")
    return jsonify(id=_store().add_candidate(body)), 201


@bp.post("/candidates/<opportunity_id>/hire")
def candidate_hire(opportunity_id):
    """Hire a candidate; return the delivery (null when no webhook URL is set)."""
    try:
        delivery = _store().hire(opportunity_id)
    except NotFound:
        return _error(404, "no such candidate")
    except AlreadyHired:
        return _error(409, "already hired")
    return jsonify(delivery=delivery)


@bp.post("/candidates/<opportunity_id>/stage")
def candidate_move_stage(opportunity_id):
    """Unarchive a candidate into {"stage"} (default applicant-new)."""
    try:
        opportunity = _store().move_stage(opportunity_id, _body().get("stage", "applicant-new"))
    except NotFound:
        return _error(404, "no such candidate")
    return jsonify(opportunity=opportunity)


@bp.post("/bulk-hire")
def bulk_hire():
    """Create and hire {"n"} synthetic candidates; return their ids."""
    n = _body().get("n")
    if not isinstance(n, int) or not 1 <= n <= 10_000:
        return _error(400, "n must be an integer from 1 to 10000")
    return jsonify(opportunity_ids=_store().bulk_hire(n))


@bp.post("/revoke")
def revoke():
    """Revoke {"client_id"} (default: the configured client)."""
    return jsonify(revoked=_store().revoke(_body().get("client_id")))


@bp.post("/webhook")
def webhook_update():
    """Set {"url"} and/or regenerate the token with {"regenerate": true}."""
    store, body = _store(), _body()
    if "url" in body:
        store.set_webhook_url(body["url"] or "")
    if body.get("regenerate"):
        store.regenerate_signature_token()
    return jsonify(webhook=store.webhook())


@bp.post("/webhook/test")
def webhook_test():
    """Send the test (ping) request; return its delivery."""
    return jsonify(delivery=_store().ping())


@bp.get("/deliveries/<delivery_id>")
def delivery_show(delivery_id):
    """Return one delivery in full: body and every attempt."""
    try:
        return jsonify(delivery=_store().delivery(delivery_id))
    except NotFound:
        return _error(404, "no such delivery")


@bp.post("/deliveries/<delivery_id>/rerun")
def delivery_rerun(delivery_id):
    """Re-send a delivery's exact body; return the new delivery."""
    delivery = _store().rerun(delivery_id)
    if delivery is None:
        return _error(404, "no such delivery")
    return jsonify(delivery=delivery)
