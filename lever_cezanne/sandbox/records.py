"""Build candidate records and render them in Lever's API shapes (lever-api.md §3)."""

import copy
import uuid

from .documents import build_resume, file_options
from .seed import DAY_MS, HIRING_MANAGER_EMAIL, OWNER_ID, stable_id

STAGE_INDEX = {"lead-new": 0, "applicant-new": 3, "offer": 6}


def _ids(name: str, deterministic: bool) -> dict:
    """Return the ids of a candidate's records: uuid5 from the name, or random."""
    kinds = ("opportunity", "contact", "application", "offer", "posting", "resume")
    if deterministic:
        return {kind: stable_id(kind, name) for kind in kinds}
    return {kind: str(uuid.uuid4()) for kind in kinds}


def midnight_utc_ms(now_ms: int, days_ahead: int) -> int:
    """Return 00:00 UTC, days_ahead days after now, in epoch milliseconds."""
    return (now_ms // DAY_MS + days_ahead) * DAY_MS


def build_offer(offer_id: str, spec: dict, name: str, posting_id: str, created_at: int) -> dict:
    """Build a Lever offer object with its identifier fields."""
    signed = spec["status"] == "signed"

    def field(text, identifier, value):
        return {"text": text, "identifier": identifier, "value": value}

    return {
        "id": offer_id,
        "posting": posting_id,
        "createdAt": created_at,
        "status": spec["status"],
        "creator": OWNER_ID,
        "fields": [
            field("Job posting", "job_posting", posting_id),
            field("Job title", "job_title", spec.get("title") or "Team Member"),
            field("Candidate name", "candidate_name", name),
            field("Offered compensation amount", "salary_amount", spec.get("salary", 55000)),
            field("Compensation currency", "compensation_currency", spec.get("currency", "GBP")),
            field("Type of earnings", "salary_interval", spec.get("interval", "per-year-salary")),
            field("Hiring manager", "hiring_manager", _user_id(spec, "hiring_manager")),
            field("Direct manager", "direct_manager", _user_id(spec, "direct_manager")),
            field("Today's date", "today_date", created_at),
            field("Anticipated start date", "anticipated_start_date", spec.get("start_date")),
            field("Team", "team", spec.get("team")),
            field("Location", "location/office", spec.get("office")),
            *(field(name, f"custom_{name}", v) for name, v in spec.get("custom", {}).items()),
        ],
        "approved": True,
        "approvedAt": created_at,
        "sentAt": created_at,
        "signatures": {
            "candidate": {
                "role": "candidate",
                "name": name,
                "email": None,
                "signed": signed,
                "signedAt": created_at if signed else None,
            }
        },
        # Lever adds downloadUrl when rendering (documents_api); _sim holds the file options.
        "sentDocument": {"fileName": "employment-offer-letter.pdf", "uploadedAt": created_at},
        "signedDocument": (
            {"fileName": "employment-offer-letter_signed.pdf", "uploadedAt": created_at}
            if signed
            else None
        ),
        "_sim": file_options(spec.get("document")),
    }


def _user_id(spec: dict, key: str) -> str | None:
    """Return a manager's Lever user id: the spec names them by e-mail (None: left empty)."""
    email = spec.get(key, HIRING_MANAGER_EMAIL)
    return stable_id("user", email) if email else None


def build_candidate(spec: dict, now_ms: int, deterministic: bool = True) -> dict:
    """Build a stored candidate (opportunity, contact, offers, resume, notes) from a spec.

    ``spec["resume"]``: missing gives a default resume, None gives none, a dict may set its
    ``name`` and the file options (documents.FILE_OPTIONS); ``spec["offer"]["document"]`` sets
    the offer letter's file options.
    """
    ids = _ids(spec["name"], deterministic)
    offer_spec = spec.get("offer")
    stage = "offer" if offer_spec else "applicant-new"
    created = now_ms - 14 * DAY_MS
    opportunity = {
        "id": ids["opportunity"],
        "name": spec["name"],
        "headline": spec.get("headline", "Example Ltd"),
        "contact": ids["contact"],
        "emails": list(spec.get("emails", [])),
        "phones": copy.deepcopy(spec.get("phones", [])),
        "location": spec.get("location", ""),
        "links": [],
        "stage": stage,
        "stageChanges": [_stage_change("applicant-new", created)],
        "archived": None,
        "tags": [],
        "sources": ["Added manually"],
        "origin": "sourced",
        "sourcedBy": OWNER_ID,
        "owner": OWNER_ID,
        "followers": [OWNER_ID],
        "applications": [ids["application"]],
        "confidentiality": "non-confidential",
        "createdAt": created,
        "updatedAt": now_ms,
        "lastInteractionAt": now_ms,
        "lastAdvancedAt": created,
        "snoozedUntil": None,
        "isAnonymized": False,
        "dataProtection": None,
        "opportunityLocation": spec.get("location") or "unspecified",
        "resume": None,
    }
    offers = []
    if offer_spec:
        opportunity["stageChanges"].append(_stage_change("offer", now_ms - DAY_MS))
        offer_spec = dict(offer_spec)
        if "start_date" not in offer_spec:
            offer_spec["start_date"] = midnight_utc_ms(now_ms, offer_spec.get("start_in_days", 28))
        offers.append(
            build_offer(ids["offer"], offer_spec, spec["name"], ids["posting"], now_ms - DAY_MS)
        )
    contact = {
        "id": ids["contact"],
        "name": spec["name"],
        "headline": opportunity["headline"],
        "isAnonymized": False,
        "location": {"name": opportunity["location"]},
    }
    resume_spec = spec.get("resume", {})
    resumes = []
    if resume_spec is not None:
        resumes.append(
            build_resume(resume_spec, spec["name"], opportunity["headline"], ids["resume"], created)
        )
    return {
        "opportunity": opportunity,
        "contact": contact,
        "offers": offers,
        "resumes": resumes,
        "notes": [],
    }


def _stage_change(stage: str, at_ms: int) -> dict:
    """Build one stageChanges entry."""
    return {
        "toStageId": stage,
        "toStageIndex": STAGE_INDEX.get(stage, 4),
        "userId": OWNER_ID,
        "updatedAt": at_ms,
    }


def set_stage(candidate: dict, stage: str, now_ms: int) -> None:
    """Unarchive a candidate and move it to a stage."""
    opportunity = candidate["opportunity"]
    opportunity["archived"] = None
    opportunity["stage"] = stage
    opportunity["stageChanges"].append(_stage_change(stage, now_ms))
    opportunity["updatedAt"] = opportunity["lastAdvancedAt"] = now_ms
    opportunity["lastInteractionAt"] = now_ms


def archive(candidate: dict, reason_id: str, now_ms: int) -> None:
    """Archive a candidate with a reason."""
    opportunity = candidate["opportunity"]
    opportunity["archived"] = {"archivedAt": now_ms, "reason": reason_id}
    opportunity["updatedAt"] = opportunity["lastInteractionAt"] = now_ms


def render_contact(candidate: dict) -> dict:
    """Render the contact object, with the opportunity's e-mails and phones."""
    contact = copy.deepcopy(candidate["contact"])
    contact["emails"] = list(candidate["opportunity"]["emails"])
    contact["phones"] = copy.deepcopy(candidate["opportunity"]["phones"])
    return contact


def render_opportunity(candidate: dict, expand: set[str], urls: dict) -> dict:
    """Render an opportunity, inlining the contact when expanded."""
    opportunity = copy.deepcopy(candidate["opportunity"])
    opportunity["urls"] = urls
    if "contact" in expand:
        opportunity["contact"] = render_contact(candidate)
    return opportunity


def _public(record: dict) -> dict:
    """Drop the simulator-only keys (_sim) from a stored record."""
    return {key: value for key, value in copy.deepcopy(record).items() if key != "_sim"}


def render_offer(offer: dict, download_url) -> dict:
    """Render an offer with its documents' download URLs (download_url(status) builds one)."""
    rendered = _public(offer)
    for key, status in (("sentDocument", "sent"), ("signedDocument", "signed")):
        if rendered.get(key):
            rendered[key]["downloadUrl"] = download_url(status)
    return rendered


def render_resume(resume: dict, download_url: str) -> dict:
    """Render a resume with its file's download URL."""
    rendered = _public(resume)
    rendered["file"]["downloadUrl"] = download_url
    return rendered
