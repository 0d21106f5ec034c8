"""Start a New Starter for a hired candidate: the Important and Troubleshooting rules.

Every outcome is a row on the integration's Log tab, linked to the person, the delivery and the
Lever opportunity, saying what happened and what to do next.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.mail.alerts import notify_new_task
from lever_cezanne.models import LeverIntegration, LogEntry, Person, WebhookDelivery
from lever_cezanne.models.integration import (
    CAUSE_ADMINISTRATOR,
    CAUSE_COMPANY,
    CAUSE_PROCESS,
    LEVEL_ERROR,
    LEVEL_INFORMATION,
    LEVEL_WARNING,
)
from lever_cezanne.onboarding import steps
from lever_cezanne.onboarding.mapping import NewStarter
from lever_cezanne.onboarding.processes import choose_new_starter_process

RETRY = "then press Retry now on this row"
STARTED = "New Starter Process started"


@dataclass
class Outcome:
    """What a run achieved: the person (if any) and how many Error rows it wrote."""

    person_id: int | None = None
    errors: int = 0
    found: list[str] = field(default_factory=list)
    # Held so the steps after these (the hire's Documents) find the person loaded.
    person: Person | None = field(default=None, repr=False)
    created: bool = False  # this run created the person: they have no Documents yet


class _Log:
    """Write rows for one delivery, each committed with the step it is about (a crash keeps both
    or neither), or at once when it stands alone.

    A person this run creates is committed with their Employment Details and task, in one
    transaction: a crash leaves all of it or nothing, and the retry starts over. A person found
    in Cezanne HR keeps a commit per step: a step that loses a race to a concurrent twin rolls
    back its own work only."""

    def __init__(self, integration: LeverIntegration, delivery: WebhookDelivery, starter):
        self.integration_id = integration.id
        self.delivery_id = delivery.id
        self.opportunity_id = starter.opportunity_id
        self.person_id: int | None = None
        self.outcome = Outcome()

    def has_row_starting(self, level: str, prefix: str) -> bool:
        """Return whether this delivery already wrote such a row (a crashed run's retry)."""
        return (
            db.session.scalar(
                select(LogEntry.id).where(
                    LogEntry.delivery_id == self.delivery_id,
                    LogEntry.level == level,
                    LogEntry.message.startswith(prefix, autoescape=True),
                )
            )
            is not None
        )

    def write(self, level: str, message: str, cause: str | None = None) -> None:
        """Add a row and commit it (with whatever the step has pending)."""
        self.add(level, message, cause)
        db.session.commit()

    def add(self, level: str, message: str, cause: str | None = None) -> None:
        """Add a row for the step's own commit."""
        add_log_entry(
            self.integration_id,
            level,
            message,
            person_id=self.person_id,
            delivery_id=self.delivery_id,
            opportunity_id=self.opportunity_id,
            cause=cause,
        )  # committed with the step's own commit
        if level == LEVEL_ERROR:
            self.outcome.errors += 1


def _who(starter: NewStarter, person: Person | None = None) -> str:
    """Name the candidate with the Person Code they have in Cezanne HR once it is known.

    A second Lever contact linked by e-mail keeps the existing person's code, not its contact id.
    """
    code = person.person_code if person is not None else starter.person_code
    return f"{starter.full_name} (Person Code {code})"


def start_new_starter(
    integration: LeverIntegration,
    delivery: WebhookDelivery,
    starter: NewStarter,
    *,
    reviewed: bool = False,
    into: Person | None = None,
) -> Outcome:
    """Create what is missing of Person, Employment Details and New Starter task, and log it.

    With "Review hires before they are created" on, an unreviewed hire only becomes a Pending
    hire. `into` is an existing person HR chose to merge the hire into (a duplicate or re-hire).
    """
    log = _Log(integration, delivery, starter)
    if integration.review_hires and not reviewed:
        _hold_for_review(log, integration, delivery, starter)
        return log.outcome
    definition = choose_new_starter_process()
    if definition is None:
        log.write(
            LEVEL_ERROR,
            f"Nothing was created for {_who(starter)}: no New Starter process is active. To fix "
            f"it, activate 'Enter a New Starter' under Processes, {RETRY}.",
            CAUSE_PROCESS,
        )
        return log.outcome
    if into is not None:
        person, new = _merge_step(log, into, starter), False
    else:
        person, new = _person_step(log, starter)
    log.outcome.person, log.outcome.created = person, new
    _employment_step(log, integration, person, starter, new)
    _task_step(log, integration, person, definition, delivery, starter, new)
    return log.outcome


WAITING = "Waiting for review"
ALREADY_HELD = "Already held for review"


def _hold_for_review(log: _Log, integration, delivery, starter: NewStarter) -> None:
    held, _ = steps.ensure_pending_hire(integration.id, delivery.id, starter)
    if log.has_row_starting(LEVEL_INFORMATION, WAITING) or log.has_row_starting(
        LEVEL_INFORMATION, ALREADY_HELD
    ):
        db.session.commit()
        return  # a crashed run's retry
    if held.delivery_id != delivery.id:
        # A webhook and a catch-up sync (or two webhooks) for the same hire: one pending hire.
        log.write(
            LEVEL_INFORMATION,
            f"{ALREADY_HELD}: {_who(starter)} is pending hire {held.id} ({held.status}), "
            "held from another delivery of the same Lever hire, so nothing more was held.",
        )
        return
    log.write(
        LEVEL_INFORMATION,
        f"{WAITING}: {_who(starter)} was hired in Lever. Nothing is created until an HR "
        f"Professional approves, merges or rejects pending hire {held.id} under Pending hires.",
    )


def _merge_step(log: _Log, person: Person, starter: NewStarter) -> Person:
    # Point the existing person at this Lever candidacy; keep everything HR has entered.
    person.lever_contact_id = person.lever_contact_id or starter.person.get("lever_contact_id")
    person.lever_opportunity_id = starter.person.get("lever_opportunity_id")
    person.lever_opportunity_url = starter.person.get("lever_opportunity_url")
    db.session.commit()
    log.person_id = log.outcome.person_id = person.id
    log.outcome.found.append("the person (merged by HR)")
    return person


def _person_step(log: _Log, starter: NewStarter) -> tuple[Person, bool]:
    """Find or create the person, with their rows; tell whether this run created them."""
    person, how = steps.ensure_person(dict(starter.person))
    log.person_id = log.outcome.person_id = person.id
    if how == steps.LINKED:
        log.add(
            LEVEL_INFORMATION,
            f"Lever candidate {starter.full_name} has the same External E-mail as the existing "
            f"person {person.full_name} (Person Code {person.person_code}), so this Lever contact "
            "was linked to that person instead of creating a new one.",
        )
    elif how == steps.FOUND:
        log.outcome.found.append("the person")
    else:
        for warning in starter.warnings:
            log.add(LEVEL_WARNING, f"{starter.full_name}: {warning}")
        return person, True  # committed with the steps that follow
    db.session.commit()
    return person, False


def _employment_step(log: _Log, integration, person: Person, starter: NewStarter, new) -> None:
    company = integration.default_company
    if company is None or not company.can_employ:
        why = (
            "no Default Company is set"
            if company is None
            else f"the Default Company {company.code} ({company.name}) is "
            + ("deleted" if company.deleted_at else "inactive")
        )
        if steps.open_employment(person.id) is not None:
            log.outcome.found.append("open Employment Details")
            return
        log.write(
            LEVEL_ERROR,
            f"Employment Details were not created for {_who(starter, person)} because {why}. "
            "Add the Employment Details in the New Starter task, and change the Default Company "
            "under Integrations › Lever to an active company so it does not happen again.",
            CAUSE_COMPANY,
        )
        return
    employment, how = steps.ensure_employment(
        person, company, starter.hire_date, starter.job, new=new
    )
    if how == steps.FOUND:
        log.outcome.found.append("open Employment Details")
    else:
        if starter.hire_date_warning:
            log.add(LEVEL_WARNING, f"{starter.full_name}: {starter.hire_date_warning}")
        for warning in starter.job.warnings:
            log.add(LEVEL_WARNING, f"{starter.full_name}: {warning}")
    if starter.job.salary is not None:
        steps.ensure_salary(employment, starter.job.salary, new=how == steps.CREATED)
    if not new:
        db.session.commit()  # a new person's are committed with the task


def _task_step(log: _Log, integration, person, definition, delivery, starter, new) -> None:
    administrator = integration.admin_user
    if administrator is None or not administrator.is_active:
        named = f" {administrator.display_name}" if administrator else ""
        log.write(
            LEVEL_ERROR,
            f"No New Starter task was created for {_who(starter, person)} because the New Hire "
            f"Administrator{named} is inactive or deleted. Choose an active New Hire "
            f"Administrator under Integrations › Lever, {RETRY}.",
            CAUSE_ADMINISTRATOR,
        )
        return
    task, how = steps.ensure_task(
        person, definition, administrator.id, delivery.id, starter.hire_date, new=new
    )
    # A task this very delivery created was made by an earlier run that crashed before logging.
    if how == steps.CREATED or task.delivery_id == delivery.id:
        notify_new_task(task)  # at most once per task: the mail's dedupe key is the task's id
        if how == steps.FOUND and log.has_row_starting(LEVEL_INFORMATION, STARTED):
            db.session.commit()
            return
        message = (
            f"{STARTED} for {_who(starter, person)}; task assigned to {administrator.display_name}"
        )
        if log.outcome.found:
            message += f". Already in Cezanne HR: {', '.join(log.outcome.found)}."
    else:
        found = ", ".join([*log.outcome.found, "an open New Starter task"])
        message = (
            f"Lever sent Candidate Hired again for {_who(starter, person)}; nothing new was "
            f"needed. Found: {found} (assigned to {task.assignee.display_name})."
        )
    log.write(LEVEL_INFORMATION, message)  # with the task and its mail: both or neither
