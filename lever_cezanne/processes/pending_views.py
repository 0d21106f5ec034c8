"""Pending hires: review a held hire, then approve, merge or reject it (HR Professionals)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, Person
from lever_cezanne.models.pending import PendingHire, PendingStatus
from lever_cezanne.onboarding.held import load_starter
from lever_cezanne.processes import bp, pending_hires
from lever_cezanne.processes.forms import ApproveHireForm, MergeHireForm, RejectHireForm

LIST_LIMIT = 200


@bp.app_context_processor
def _pending_count() -> dict:
    def count() -> int:
        return pending_hires.pending_count() if current_user.is_authenticated else 0

    return {"pending_hire_count": count}


@bp.route("/hires/pending")
def hires_pending():
    """List hires waiting for review, then the latest decided ones."""
    query = select(PendingHire).order_by(
        (PendingHire.status.not_in([PendingStatus.PENDING, PendingStatus.APPROVING])),
        PendingHire.id.desc(),
    )
    return render_template(
        "processes/hires/index.html",
        hires=list(db.session.scalars(query.limit(LIST_LIMIT))),
        interrupted=pending_hires.is_interrupted,
    )


def _render(held: PendingHire, approve=None, merge=None, reject=None, status=200):
    sent = load_starter(held.starter_json)
    duplicates = pending_hires.possible_duplicates(sent)
    # With the corrections an approval kept (interrupted, refused or finished), else Lever's.
    reviewed = load_starter(held.reviewed_json) if held.reviewed_json else sent
    if approve is None:
        approve = ApproveHireForm(
            formdata=None, data={**reviewed.person, "hire_date": reviewed.hire_date}
        )
    # The cards show what approving would create (the form's values), what an approval created,
    # or else the hire as Lever sent it; their headings say which.
    if held.status in (PendingStatus.PENDING, PendingStatus.APPROVING):
        starter, shown_as = reviewed, "that would be created"
    elif held.status == PendingStatus.APPROVED and held.reviewed_json:
        starter, shown_as = reviewed, "as approved"
    else:
        starter, shown_as = sent, "as Lever sent it"
    return render_template(
        "processes/hires/show.html",
        held=held,
        starter=starter,
        shown_as=shown_as,
        duplicates=duplicates,
        flags=pending_hires.attention(starter, duplicates),
        approve_form=approve,
        merge_form=merge or MergeHireForm(formdata=None),
        reject_form=reject or RejectHireForm(formdata=None),
        is_pending=held.status == PendingStatus.PENDING,
        interrupted=pending_hires.is_interrupted(held),
        company=db.session.get(LeverIntegration, held.integration_id).default_company,
    ), status


@bp.route("/hires/pending/<int:hire_id>")
def hire_show(hire_id: int):
    """Show exactly what approving the hire would create, and what needs attention."""
    return _render(db.get_or_404(PendingHire, hire_id))


def _waiting(held: PendingHire) -> str:
    if not held.waits_for_resume:
        return ""
    return " Its Documents and note to Lever wait until the integration is resumed."


def _decided(held: PendingHire, message: str):
    flash(message, "success")
    return redirect(url_for("processes.hire_show", hire_id=held.id))


def _refused(held: PendingHire, exc: ValidationError):
    flash(str(exc), "error")
    return redirect(url_for("processes.hire_show", hire_id=held.id))


@bp.route("/hires/pending/<int:hire_id>/approve", methods=["POST"])
def hire_approve(hire_id: int):
    """Create the Person, Employment Details and task, with the reviewer's corrections."""
    held = db.get_or_404(PendingHire, hire_id)
    form = ApproveHireForm()
    if not form.validate_on_submit():
        return _render(held, approve=form, status=422)
    changes = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    changes["external_email"] = changes["external_email"] or None
    try:
        pending_hires.approve(held, current_user, changes)
    except ValidationError as exc:
        return _refused(held, exc)
    return _decided(held, f"Approved: {held.full_name} is now in Cezanne HR.{_waiting(held)}")


@bp.route("/hires/pending/<int:hire_id>/merge", methods=["POST"])
def hire_merge(hire_id: int):
    """Make the hire a new employment on an existing person."""
    held = db.get_or_404(PendingHire, hire_id)
    form = MergeHireForm()
    if not form.validate_on_submit():
        return _render(held, merge=form, status=422)
    code = form.person_code.data.strip().lower()
    person = db.session.scalar(select(Person).where(func.lower(Person.person_code) == code))
    if person is None:
        form.person_code.errors.append(f"No person has the Person Code '{form.person_code.data}'.")
        return _render(held, merge=form, status=422)
    try:
        pending_hires.merge(held, current_user, person)
    except ValidationError as exc:
        return _refused(held, exc)
    return _decided(
        held, f"Merged into {person.full_name} (Person Code {person.person_code}).{_waiting(held)}"
    )


@bp.route("/hires/pending/<int:hire_id>/reject", methods=["POST"])
def hire_reject(hire_id: int):
    """Reject the hire with a reason, recorded on the Log."""
    held = db.get_or_404(PendingHire, hire_id)
    form = RejectHireForm()
    if not form.validate_on_submit():
        return _render(held, reject=form, status=422)
    try:
        pending_hires.reject(held, current_user, form.reason.data)
    except ValidationError as exc:
        db.session.rollback()
        return _refused(held, exc)
    db.session.commit()
    return _decided(held, f"Rejected: nothing was created for {held.full_name}.")
