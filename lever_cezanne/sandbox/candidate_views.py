"""Candidate pages: the list with Hire / Move to stage, adding one, and bulk hiring."""

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from .seed import ARCHIVE_REASONS, STAGES
from .store import AlreadyHired, NotFound

bp = Blueprint("candidates", __name__)
PHONE_TYPES = ["mobile", "work", "home", "other", "skype"]
PHONE_ROWS = 4
MAX_BULK = 5000


def _store():
    return current_app.extensions["lever_sandbox"]


@bp.app_template_filter("ms_datetime")
def ms_datetime(value) -> str:
    """Format epoch milliseconds as a UTC date and time."""
    moment = dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@bp.app_template_filter("ms_date")
def ms_date(value) -> str:
    """Format epoch milliseconds as a UTC date."""
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date().isoformat()


@bp.get("/")
def candidate_list():
    """List candidates with their stage, offer and hire actions."""
    return render_template(
        "sandbox/candidates/index.html",
        candidates=_store().candidates(),
        stages=STAGES,
        stage_names={stage["id"]: stage["text"] for stage in STAGES},
        reasons={reason["id"]: reason["text"] for reason in ARCHIVE_REASONS},
    )


@bp.post("/candidates/<opportunity_id>/hire")
def candidate_hire(opportunity_id):
    """Archive a candidate as Hired and send the Candidate Hired webhook."""
    try:
        delivery = _store().hire(opportunity_id)
    except NotFound:
        flash("No such candidate.", "error")
    except AlreadyHired:
        flash("That candidate is already hired; move them to a stage first.", "error")
    else:
        if delivery is None:
            flash("Hired. No webhook URL is set, so nothing was sent.", "info")
        else:
            status = delivery["status"].replace("pending", "queued")
            flash(f"Hired. Candidate Hired webhook: {status}.", "success")
    return redirect(url_for(".candidate_list"))


@bp.post("/candidates/<opportunity_id>/hire-without-webhook")
def candidate_hire_without_webhook(opportunity_id):
    """Archive a candidate as Hired but never send the webhook (a missed webhook, for the demo)."""
    try:
        _store().hire_without_webhook(opportunity_id)
    except NotFound:
        flash("No such candidate.", "error")
    except AlreadyHired:
        flash("That candidate is already hired; move them to a stage first.", "error")
    else:
        flash(
            "Hired without a webhook: Cezanne HR hears of it only from its catch-up sync.",
            "success",
        )
    return redirect(url_for(".candidate_list"))


@bp.post("/candidates/<opportunity_id>/stage")
def candidate_move_stage(opportunity_id):
    """Unarchive a candidate and move them to another stage."""
    stage = request.form.get("stage", "applicant-new")
    if stage not in {s["id"] for s in STAGES}:
        flash("Unknown stage.", "error")
    else:
        try:
            _store().move_stage(opportunity_id, stage)
            flash("Candidate moved.", "success")
        except NotFound:
            flash("No such candidate.", "error")
    return redirect(url_for(".candidate_list"))


@bp.post("/candidates/bulk-hire")
def candidate_bulk_hire():
    """Create and hire N synthetic candidates."""
    try:
        count = int(request.form.get("count", "0"))
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_BULK:
        flash(f"Enter a number of candidates from 1 to {MAX_BULK}.", "error")
    else:
        _store().bulk_hire(count)
        flash(f"Hired {count} new candidates; their webhooks are on their way.", "success")
    return redirect(url_for(".candidate_list"))


@bp.route("/candidates/new", methods=["GET", "POST"])
def candidate_new():
    """Add a candidate with e-mails, typed phones and an optional offer."""
    errors, form = [], request.form
    if request.method == "POST":
        spec, errors = parse_candidate_form(form)
        if not errors:
            _store().add_candidate(spec)
            flash(f"Added {spec['name']}.", "success")
            return redirect(url_for(".candidate_list"))
    page = render_template(
        "sandbox/candidates/new.html",
        errors=errors,
        form=form,
        phone_types=PHONE_TYPES,
        phone_rows=range(PHONE_ROWS),
        users=_users(),
    )
    return page, 400 if errors else 200


def _users() -> list[dict]:
    """Return the Lever users an offer may name as direct manager."""
    store = _store()
    with store.lock:
        return [dict(user) for user in store.state["users"]]


def parse_candidate_form(form) -> tuple[dict, list[str]]:
    """Turn the add-candidate form into a candidate spec and a list of errors."""
    errors = []
    name = form.get("name", "").strip()
    if not name:
        errors.append("Enter the candidate's name.")
    emails = [line.strip() for line in form.get("emails", "").splitlines() if line.strip()]
    errors += [f"{email} is not an e-mail address." for email in emails if "@" not in email]
    phones = []
    for row in range(PHONE_ROWS):
        value = form.get(f"phone_{row}_value", "").strip()
        kind = form.get(f"phone_{row}_type", "")
        if value:
            phones.append(
                {"type": kind, "value": value} if kind in PHONE_TYPES else {"value": value}
            )
    spec = {"name": name, "emails": emails, "phones": phones, "location": form.get("location", "")}
    status = form.get("offer_status", "")
    if status in ("signed", "sent"):
        spec["offer"] = {"status": status, "title": form.get("job_title", "").strip() or None}
        spec["offer"].update(_offer_terms(form))
        try:
            start = dt.date.fromisoformat(form.get("start_date", ""))
        except ValueError:
            errors.append("Enter the anticipated start date as YYYY-MM-DD.")
        else:
            midnight = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
            spec["offer"]["start_date"] = int(midnight.timestamp() * 1000)
    return spec, errors


def _number_or_text(text: str):
    """Send a number as Lever does, anything else as typed (to try a hire with a bad salary)."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _offer_terms(form) -> dict:
    """Read the offer's pay, team, office and managers; blank boxes keep the defaults."""
    terms = {
        "team": form.get("team", "").strip() or None,
        "office": form.get("office", "").strip() or None,
        "currency": form.get("currency", "").strip() or "GBP",
        "interval": form.get("interval", "") or "per-year-salary",
    }
    if form.get("salary", "").strip():
        terms["salary"] = _number_or_text(form["salary"].strip())
    manager = form.get("direct_manager", "")
    terms["direct_manager"] = manager or None
    return terms
