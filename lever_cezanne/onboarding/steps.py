"""The idempotent steps of a New Starter: each survives a concurrent twin.

A retry, a re-trigger or a second worker running the same delivery finds what the first one
made. The partial unique indexes (one person per code, one open employment, one open task per
person) are the last line of defence: a lost race rolls back and reads the winner's row.

A step writes its rows at once; its caller commits them together with the step's Log rows, so a
crash keeps both or neither. Call each step with nothing else pending, but a person this run has
just created (no twin can see them, so no race is lost over their rows): a lost race rolls the
transaction back. A row this run has just created (`new`) cannot have children yet but a
concurrent twin's, which the unique index refuses, so its children are inserted without being
looked for first.

New rows go in with one prebuilt INSERT each (core.loaded_rows), not the ORM's flush, which cost a
worker more than twice the INSERT itself.
"""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError

from lever_cezanne.core.loaded_rows import RowInsert, insert_row
from lever_cezanne.extensions import db
from lever_cezanne.models import (
    Company,
    Employment,
    Gender,
    Person,
    ProcessDefinition,
    Salary,
    Task,
)
from lever_cezanne.models.pending import PendingHire
from lever_cezanne.models.people import GENDER_NOT_KNOWN
from lever_cezanne.models.processes import TASK_OPEN
from lever_cezanne.onboarding.held import dump_starter
from lever_cezanne.onboarding.job import JobDetails, SalaryTerms
from lever_cezanne.onboarding.mapping import NewStarter

CREATED, FOUND, LINKED = "created", "found", "linked"
Row = TypeVar("Row")


_CODE = bindparam("code")
_BY_CODE = (Person.person_code == _CODE) | (Person.lever_contact_id == _CODE)
# Built once, with and without an e-mail: a hire's first look at Cezanne HR, on every hire; a
# statement built per call cost the worker more than running it.
_FIND = {
    with_email: select(Person)
    .where(
        _BY_CODE | (func.lower(Person.external_email) == bindparam("email"))
        if with_email
        else _BY_CODE
    )
    .order_by(case((_BY_CODE, 0), else_=1), Person.id)
    .limit(1)
    for with_email in (False, True)
}


def find_person(person_code: str, email: str | None) -> tuple[Person | None, str]:
    """Find by Person Code (or a person already linked to the contact), else by e-mail, in one
    query: a hire's first look, and most hires are new people."""
    params = {"code": person_code, "email": email.lower()} if email else {"code": person_code}
    person = db.session.scalar(_FIND[bool(email)], params)
    if person is None:
        return None, CREATED
    if person_code in (person.person_code, person.lever_contact_id):
        return person, FOUND
    return person, LINKED


def _gender_not_known():
    return select(Gender.id).where(Gender.code == GENDER_NOT_KNOWN)


def _check_gender_not_known() -> None:
    if db.session.scalar(_gender_not_known()) is None:
        raise LookupError("the Gender picklist has no item with code U")


# "Not known", looked up by the INSERT itself: one round trip fewer per new person.
_insert_person = RowInsert(Person, gender_id=_gender_not_known().scalar_subquery())


def ensure_person(fields: dict) -> tuple[Person, str]:
    """Return the candidate's person and whether it was found, linked by e-mail or created."""
    person, how = find_person(fields["person_code"], fields["external_email"])
    if person is None:
        try:
            person = _insert_person(Person(**fields))
        except IntegrityError:
            db.session.rollback()  # a concurrent run created them first
            person, how = find_person(fields["person_code"], fields["external_email"])
            if person is None:
                _check_gender_not_known()  # or the picklist lost its item: say so
                raise
            return person, how
        return person, CREATED
    # Keep what HR has edited; only point the person at this Lever candidacy.
    person.lever_contact_id = person.lever_contact_id or fields["lever_contact_id"]
    person.lever_opportunity_id = fields["lever_opportunity_id"]
    person.lever_opportunity_url = fields["lever_opportunity_url"]
    db.session.flush()
    return person, how


def _insert_or_winner(
    row: Row, find_winner: Callable[[], Row | None], new: bool = False
) -> tuple[Row, str]:
    """Insert a new row; when a concurrent run inserted its twin first, return the twin.

    `new`: the row's parent was created by this run, so no twin can exist."""
    try:
        insert_row(row)
    except IntegrityError:
        if new:
            raise
        db.session.rollback()  # the partial unique index refused our twin
        found = find_winner()
        if found is None:
            raise
        return found, FOUND
    return row, CREATED


def open_employment(person_id: int) -> Employment | None:
    return db.session.scalar(
        select(Employment).where(
            Employment.person_id == person_id, Employment.termination_date.is_(None)
        )
    )


def ensure_employment(
    person: Person,
    company: Company,
    hire_date: date,
    job: JobDetails | None = None,
    *,
    new: bool = False,
) -> tuple[Employment, str]:
    """Return the person's open employment, creating one in the company when there is none
    (`new`: the person was created by this run).

    The offer's job is written with the row itself, so a crash can never leave half of it.
    """
    found = None if new else open_employment(person.id)
    if found is not None:
        return found, FOUND
    employment = Employment(
        person_id=person.id,
        employment_id=person.person_code,
        company_id=company.id,
        hire_date=hire_date,
        **(job.employment_fields() if job else {}),
    )
    return _insert_or_winner(employment, lambda: open_employment(person.id), new)


def _any_salary(employment_id: int) -> Salary | None:
    return db.session.scalar(
        select(Salary).where(Salary.employment_id == employment_id).order_by(Salary.id).limit(1)
    )


def ensure_salary(
    employment: Employment, terms: SalaryTerms, *, new: bool = False
) -> tuple[Salary, str]:
    """Return the employment's salary, creating the offer's (effective from the Hire Date) if none
    (`new`: the employment was created by this run).

    Concurrent twins both insert at the Hire Date, so the unique (employment, date) key keeps one.
    """
    found = None if new else _any_salary(employment.id)
    if found is not None:
        return found, FOUND
    salary = Salary(
        employment_id=employment.id,
        amount=terms.amount,
        currency=terms.currency,
        interval=terms.interval,
        effective_date=employment.hire_date,
    )
    return _insert_or_winner(salary, lambda: _any_salary(employment.id), new)


def _open_task(person_id: int) -> Task | None:
    return db.session.scalar(
        select(Task).where(Task.person_id == person_id, Task.status == TASK_OPEN)
    )


def ensure_task(
    person: Person,
    definition: ProcessDefinition,
    assignee_id: int,
    delivery_id: int | None,
    due_date: date,
    *,
    new: bool = False,
) -> tuple[Task, str]:
    """Return the person's open New Starter task, creating one (due on due_date) when needed
    (`new`: the person was created by this run)."""
    found = None if new else _open_task(person.id)
    if found is not None:
        return found, FOUND
    task = Task(
        definition_id=definition.id,
        person_id=person.id,
        assignee_id=assignee_id,
        delivery_id=delivery_id,
        due_date=due_date,
    )
    return _insert_or_winner(task, lambda: _open_task(person.id), new)


def _pending_for(integration_id: int, opportunity_id: str) -> PendingHire | None:
    return db.session.scalar(
        select(PendingHire).where(
            PendingHire.integration_id == integration_id,
            PendingHire.opportunity_id == opportunity_id,
        )
    )


def ensure_pending_hire(
    integration_id: int, delivery_id: int, starter: NewStarter
) -> tuple[PendingHire, str]:
    """Return the opportunity's pending hire, holding the mapped hire for review when there is none.

    It is keyed on the opportunity, not the delivery: a webhook and a catch-up sync delivery for
    the same hire (or two webhooks) racing here give one pending hire; the loser reads the winner's.
    """
    found = _pending_for(integration_id, starter.opportunity_id)
    if found is not None:
        return found, FOUND
    held = PendingHire(
        integration_id=integration_id,
        delivery_id=delivery_id,
        opportunity_id=starter.opportunity_id,
        full_name=starter.full_name,
        starter_json=dump_starter(starter),
    )
    return _insert_or_winner(held, lambda: _pending_for(integration_id, starter.opportunity_id))
