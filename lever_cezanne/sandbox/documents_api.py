"""Lever Data API v1 files and notes: offer letter and resume downloads, notes (lever-api.md §3).

Offer letters: ``GET /opportunities/:id/offers/:offer/download?status=sent|signed``
(``offers:read:admin``). Resumes: ``GET /opportunities/:id/resumes[/:resume[/download]]``
(``resumes:read:admin``). Notes: ``GET|POST /opportunities/:id/notes`` (``notes:read:admin`` /
``notes:write:admin``); a POST answers ``201 {"data": {"noteId": …}}``.
"""

import time

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from . import documents, records
from .api import api_error, gate_api_call, load_candidate, paginate, require_scope

bp = Blueprint("documents_api", __name__, url_prefix="/v1")
bp.before_request(gate_api_call)
MAX_NOTE_LENGTH = 100_000


def _store():
    return current_app.extensions["lever_sandbox"]


def _file_response(lines: list[str], options: dict, file_name: str) -> Response:
    """Stream a file as Lever does: its bytes, content type and an attachment name."""
    if options.get("missing"):
        return api_error(404, "ResourceNotFound", "file was not found")
    busy = _busy_answer(options.get("busy") or [])
    if busy is not None:
        return api_error(busy, *documents.BUSY_ANSWERS[busy])
    if options.get("delay_ms"):
        time.sleep(options["delay_ms"] / 1000)
    size = options.get("size")
    length = size or len(documents.content(lines))
    response = Response(documents.chunks(lines, size), mimetype=documents.PDF)
    response.headers["Content-Length"] = str(length)
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(file_name)}"'
    return response


def _busy_answer(statuses: list) -> int | None:
    """The status this download answers while the file is busy, or None once it is served."""
    store = _store()
    with store.lock:
        given = store.busy_answered.get(request.path, 0)
        if given >= len(statuses):
            return None
        store.busy_answered[request.path] = given + 1
    status = statuses[given]
    return status if status in documents.BUSY_ANSWERS else 500


def _ascii(name: str) -> str:
    """A header-safe file name (quotes and non-ASCII replaced)."""
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)


def _offer(candidate: dict, offer_id: str) -> dict:
    for offer in candidate["offers"]:
        if offer["id"] == offer_id:
            return offer
    abort(api_error(404, "ResourceNotFound", f"offers {offer_id} was not found"))
    return {}  # pragma: no cover


@bp.get("/opportunities/<opportunity_id>/offers/<offer_id>/download")
def offer_download(opportunity_id, offer_id):
    """Download an offer's sent or signed document (status=sent|signed)."""
    require_scope("offers:read:admin")
    candidate = load_candidate(opportunity_id)
    offer = _offer(candidate, offer_id)
    status = request.args.get("status", "signed" if offer.get("signedDocument") else "sent")
    if status not in ("sent", "signed"):
        return api_error(400, "BadRequestError", "status must be sent or signed")
    document = offer.get(f"{status}Document")
    if not document:
        return api_error(404, "ResourceNotFound", f"offers {offer_id} has no {status} document")
    name = candidate["opportunity"]["name"]
    lines = documents.offer_letter_lines(name, offer, status)
    return _file_response(lines, offer.get("_sim", {}), document["fileName"])


def _resume(candidate: dict, resume_id: str) -> dict:
    for resume in candidate.get("resumes", []):
        if resume["id"] == resume_id:
            return resume
    abort(api_error(404, "ResourceNotFound", f"resumes {resume_id} was not found"))
    return {}  # pragma: no cover


def _render_resume(opportunity_id: str, resume: dict) -> dict:
    url = url_for(
        ".resume_download",
        opportunity_id=opportunity_id,
        resume_id=resume["id"],
        _external=True,
    )
    return records.render_resume(resume, url)


@bp.get("/opportunities/<opportunity_id>/resumes")
def resume_list(opportunity_id):
    """List an opportunity's resumes, oldest first."""
    require_scope("resumes:read:admin")
    candidate = load_candidate(opportunity_id)
    return paginate([_render_resume(opportunity_id, r) for r in candidate.get("resumes", [])])


@bp.get("/opportunities/<opportunity_id>/resumes/<resume_id>")
def resume_show(opportunity_id, resume_id):
    """Return one resume."""
    require_scope("resumes:read:admin")
    resume = _resume(load_candidate(opportunity_id), resume_id)
    return jsonify(data=_render_resume(opportunity_id, resume))


@bp.get("/opportunities/<opportunity_id>/resumes/<resume_id>/download")
def resume_download(opportunity_id, resume_id):
    """Download a resume file."""
    require_scope("resumes:read:admin")
    candidate = load_candidate(opportunity_id)
    resume = _resume(candidate, resume_id)
    opportunity = candidate["opportunity"]
    lines = documents.resume_lines(opportunity["name"], resume_id, opportunity["headline"])
    return _file_response(lines, resume.get("_sim", {}), resume["file"]["name"])


@bp.get("/opportunities/<opportunity_id>/notes")
def note_list(opportunity_id):
    """List an opportunity's notes, oldest first."""
    require_scope("notes:read:admin")
    return paginate(load_candidate(opportunity_id).get("notes", []))


def _note_body() -> dict:
    """Read a note from JSON or a form; a missing or empty value is a 400."""
    body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(body, dict):
        abort(api_error(400, "BadRequestError", "The request body must be a JSON object"))
    value = body.get("value")
    if not isinstance(value, str) or not value.strip():
        abort(api_error(400, "BadRequestError", "Missing required parameter: value"))
    if len(value) > MAX_NOTE_LENGTH:
        abort(api_error(400, "BadRequestError", "value is too long"))
    return body


@bp.post("/opportunities/<opportunity_id>/notes")
def note_create(opportunity_id):
    """Add a note to an opportunity (perform_as optionally names its author)."""
    require_scope("notes:write:admin")
    load_candidate(opportunity_id)
    body = _note_body()
    author = request.args.get("perform_as")
    store = _store()
    if author is not None:
        with store.lock:
            known = {user["id"] for user in store.state["users"]}
        if author not in known:
            return api_error(400, "BadRequestError", f"users {author} was not found")
    secret = body.get("secret") in (True, "true")
    note = documents.new_note(body["value"], author, secret, int(store.now() * 1000))
    with store.mutate() as state:
        state["candidates"][opportunity_id].setdefault("notes", []).append(note)
    store.count("notes_created")
    return jsonify(data={"noteId": note["id"]}), 201
