"""Change people, their Employment Details and New Starter tasks. Services flush, never commit."""

from datetime import date

from sqlalchemy import select

from lever_cezanne.admin.services import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, Employment, Person, Task, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.processes import TASK_COMPLETED, TASK_OPEN

PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "surname",
    "known_as",
    "full_name",
    "legal_name",
    "gender_id",
    "date_of_birth",
    "home_number",
    "work_number",
    "mobile_number",
    "other_number",
    "skype_name",
    "external_email",
)


def update_person(person: Person, changes: dict) -> None:
    """Change a person's Personal Information and Contact Details; blanks are stored as empty."""
    for name in PERSON_FIELDS:
        if name in changes:
            value = changes[name]
            setattr(person, name, (value.strip() or None) if isinstance(value, str) else value)
    db.session.flush()


def may_act_on(task: Task, user: User) -> bool:
    """Return whether the user may change this task: its assignee or an Administrator."""
    return user.is_administrator or task.assignee_id == user.id


def _ensure_open(task: Task, action: str) -> None:
    if not task.is_open:
        raise ValidationError(
            f"This task is completed, so you cannot {action}. Reopen the task first."
        )


def _ensure_employable(company: Company) -> None:
    if not company.can_employ:
        raise ValidationError(
            f"The company '{company.code}' is inactive or deleted, so it cannot take new "
            "Employment Details. Choose an active company."
        )


def add_employment(task: Task, company: Company, hire_date: date, employment_id: str) -> Employment:
    """Create the person's missing Employment Details from the New Starter task."""
    _ensure_open(task, "add Employment Details")
    _ensure_employable(company)
    if task.person.current_employment is not None:
        raise ValidationError(
            "This person already has open Employment Details; change the company instead."
        )
    employment = Employment(
        person_id=task.person_id,
        company_id=company.id,
        hire_date=hire_date,
        employment_id=employment_id.strip() or task.person.person_code,
    )
    # The unique index allows one open employment per person: a concurrent save loses cleanly.
    with refusing_duplicates(
        "Employment Details were added for this person a moment ago. Reload the page to see them."
    ):
        db.session.add(employment)
    db.session.expire(task.person, ["employments"])
    return employment


def change_company(task: Task, company: Company) -> Employment:
    """Move the person's open Employment Details to another company."""
    _ensure_open(task, "change the company")
    _ensure_employable(company)
    employment = task.person.current_employment
    if employment is None:
        raise ValidationError("This person has no open Employment Details yet: add them first.")
    employment.company = company
    db.session.flush()
    return employment


def complete_task(task: Task, user: User) -> None:
    """Mark the New Starter task completed by this user."""
    if not task.is_open:
        raise ValidationError("This task is already completed.")
    task.status, task.completed_at, task.completed_by_id = TASK_COMPLETED, utcnow(), user.id
    db.session.flush()


def reopen_task(task: Task) -> None:
    """Reopen a completed task, unless the person already has another open New Starter task."""
    if task.is_open:
        raise ValidationError("This task is already open.")
    other = db.session.scalar(
        select(Task.id).where(Task.person_id == task.person_id, Task.status == TASK_OPEN)
    )
    message = (
        f"{task.person.full_name} already has an open New Starter task. A person can have only "
        "one open New Starter task: complete that one first, or work on it instead."
    )
    if other is not None:
        raise ValidationError(message)
    # The unique index allows one open task per person: a task created meanwhile wins.
    with refusing_duplicates(message):
        task.status, task.completed_at, task.completed_by_id = TASK_OPEN, None, None
