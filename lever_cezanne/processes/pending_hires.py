"""Pending hires: the only writer of their status. Review, then approve, merge or reject.

Approving claims the row with one conditional UPDATE (pending -> approving) and commits, so a
double click or a second tab finds it already taken and creates nothing. The records are then
made by the integration's own idempotent steps; if they fail, the claim is released. If the
server dies in between (killed, restarted), the claim lapses after APPROVAL_LEASE: the hire is
then "interrupted", counted and listed again, and approving or merging it again finishes the
records, reusing what the interrupted run made.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.deliveries import after_approval
from lever_cezanne.extensions import db
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LeverIntegration, Person, User, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import LEVEL_INFORMATION
from lever_cezanne.models.pending import PendingHire, PendingStatus
from lever_cezanne.onboarding.held import dump_starter, load_starter
from lever_cezanne.onboarding.mapping import NewStarter
from lever_cezanne.onboarding.rules import start_new_starter

DUPLICATES_SHOWN = 10
# No request lives this long (gunicorn ends one after 30 s): a claim older than this was left by
# a server that stopped mid-approval.
APPROVAL_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Attention:
    """Something a reviewer should look at before approving."""

    message: str


def _interrupted():
    """SQL: an approval whose server stopped before it finished (its claim has lapsed)."""
    return (PendingHire.status == PendingStatus.APPROVING) & (
        PendingHire.decided_at < utcnow() - APPROVAL_LEASE
    )


def _open():
    """SQL: a hire someone must still decide on: waiting, or its approval interrupted."""
    return (PendingHire.status == PendingStatus.PENDING) | _interrupted()


def is_interrupted(held: PendingHire) -> bool:
    """Tell whether the hire's approval was interrupted and may be approved or merged again."""
    return (
        held.status == PendingStatus.APPROVING
        and held.decided_at is not None
        and held.decided_at < utcnow() - APPROVAL_LEASE
    )


def pending_count() -> int:
    """Return how many hires wait for a decision (interrupted approvals included)."""
    return db.session.scalar(select(func.count()).select_from(PendingHire).where(_open()))


def possible_duplicates(starter: NewStarter) -> list[Person]:
    """Return people with the same e-mail, or the same name and a same phone number."""
    person = starter.person
    conditions = []
    if person.get("external_email"):
        conditions.append(func.lower(Person.external_email) == person["external_email"].lower())
    phones = {
        person.get(name)
        for name in ("mobile_number", "work_number", "home_number", "other_number")
        if person.get(name)
    }
    if phones:
        same_phone = or_(
            Person.mobile_number.in_(phones),
            Person.work_number.in_(phones),
            Person.home_number.in_(phones),
            Person.other_number.in_(phones),
        )
        same_name = func.lower(Person.full_name) == person["full_name"].lower()
        conditions.append(same_name & same_phone)
    if not conditions:
        return []
    query = select(Person).where(or_(*conditions)).order_by(Person.id).limit(DUPLICATES_SHOWN)
    return list(db.session.scalars(query))


def attention(starter: NewStarter, duplicates: list[Person]) -> list[Attention]:
    """Flag a one-word name, a missing e-mail and possible duplicates."""
    flags = []
    person = starter.person
    if not person.get("surname") or len(person["full_name"].split()) < 2:
        flags.append(
            Attention("The candidate has a one-word name: check the First Name and Surname.")
        )
    if not person.get("external_email"):
        flags.append(Attention("Lever sent no e-mail address for the candidate."))
    for match in duplicates:
        flags.append(
            Attention(
                f"Possible duplicate of {match.full_name} (Person Code {match.person_code}): "
                "merge into that person if it is the same one, e.g. a re-hire."
            )
        )
    return flags


def _claim(held: PendingHire, user: User, reviewed_json: str | None) -> None:
    # One UPDATE, so of two tabs (or two reviewers of an interrupted approval) only one wins. It
    # keeps the reviewer's corrections, should the server stop before the records are made.
    claimed = db.session.execute(
        update(PendingHire)
        .where(PendingHire.id == held.id, _open())
        .values(
            status=PendingStatus.APPROVING,
            decided_by_id=user.id,
            decided_at=utcnow(),
            reviewed_json=reviewed_json,
        )
    ).rowcount
    db.session.commit()
    if not claimed:
        db.session.refresh(held)
        who = held.decided_by.display_name if held.decided_by else "someone"
        if held.status == PendingStatus.APPROVING:
            raise ValidationError(
                f"{who} is already approving this pending hire: nothing more was created. "
                "Reload the page in a minute to see the result."
            )
        raise ValidationError(
            f"This pending hire was already {held.status} by {who}: nothing more was created."
        )


def _release(held: PendingHire) -> None:
    """Put a claimed hire back to pending, so it can be approved again."""
    db.session.execute(
        update(PendingHire)
        .where(PendingHire.id == held.id)
        .values(status=PendingStatus.PENDING, decided_by_id=None, decided_at=None)
    )
    db.session.commit()


def _create(held: PendingHire, user: User, starter: NewStarter, into: Person | None):
    _claim(held, user, dump_starter(starter) if into is None else None)
    integration = db.session.get(LeverIntegration, held.integration_id)
    delivery = db.session.get(WebhookDelivery, held.delivery_id)
    try:
        outcome = start_new_starter(integration, delivery, starter, reviewed=True, into=into)
    except Exception:
        db.session.rollback()
        _release(held)
        raise
    if outcome.person_id is None:
        _release(held)
        raise ValidationError(
            "Nothing could be created: the integration's Log says why. Fix it, then approve again."
        )
    held.status = PendingStatus.MERGED if into is not None else PendingStatus.APPROVED
    held.person_id = outcome.person_id
    db.session.commit()
    # The request never calls Lever: a job fetches the hire's Documents and sends the note.
    after_approval.hand_over(held, complete=not outcome.errors)
    return outcome


def approve(held: PendingHire, user: User, changes: dict) -> None:
    """Create the hire's records, with the reviewer's edits to the person and the Hire Date."""
    starter = load_starter(held.starter_json)
    person = {**starter.person, **{k: v for k, v in changes.items() if k != "hire_date"}}
    starter = replace(
        starter, person=person, hire_date=changes.get("hire_date") or starter.hire_date
    )
    _create(held, user, starter, None)


def merge(held: PendingHire, user: User, person: Person) -> None:
    """Give an existing person the hire's Employment Details and New Starter task."""
    _create(held, user, load_starter(held.starter_json), person)


def reject(held: PendingHire, user: User, reason: str) -> None:
    """Reject the hire with a reason; nothing is created and the Log records it."""
    if is_interrupted(held):
        # The interrupted run may have made some records: finish them, never disown them.
        raise ValidationError(
            "An approval of this hire was interrupted, so some of its records may exist "
            "already: approve or merge it again to finish them."
        )
    rejected = db.session.execute(
        update(PendingHire)
        .where(PendingHire.id == held.id, PendingHire.status == PendingStatus.PENDING)
        .values(
            status=PendingStatus.REJECTED,
            decided_by_id=user.id,
            decided_at=utcnow(),
            reason=reason.strip(),
        )
    ).rowcount
    if not rejected:
        db.session.rollback()
        db.session.refresh(held)
        raise ValidationError(
            f"This pending hire was already {held.status}: it cannot be rejected."
        )
    add_log_entry(
        held.integration_id,
        LEVEL_INFORMATION,
        f"Pending hire {held.id} of {held.full_name} was rejected by {user.display_name}: "
        f"{reason.strip()} Nothing was created in Cezanne HR.",
        delivery_id=held.delivery_id,
        opportunity_id=held.opportunity_id,
    )
