"""Add and move Employment Details from a New Starter task. Services flush, never commit."""

from datetime import date

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, Employment, Task, User
from lever_cezanne.people.edits import check_employment_id_free
from lever_cezanne.people.history import record_change


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


def add_employment(
    task: Task, company: Company, hire_date: date, employment_id: str, user: User | None = None
) -> Employment:
    """Create the person's missing Employment Details from the New Starter task."""
    _ensure_open(task, "add Employment Details")
    _ensure_employable(company)
    if task.person.current_employment is not None:
        raise ValidationError(
            "This person already has open Employment Details; change the company instead."
        )
    employment_id = employment_id.strip() or task.person.person_code
    check_employment_id_free(employment_id, task.person_id)
    employment = Employment(
        person_id=task.person_id,
        company_id=company.id,
        hire_date=hire_date,
        employment_id=employment_id,
    )
    # The unique index allows one open employment per person: a concurrent save loses cleanly.
    with refusing_duplicates(
        "Employment Details were added for this person a moment ago. Reload the page to see them."
    ):
        db.session.add(employment)
    record_change(task.person, user, "Employment Details", None, f"Added in {company.label}")
    db.session.expire(task.person, ["employments"])
    return employment


def change_company(task: Task, company: Company, user: User | None = None) -> Employment:
    """Move the person's open Employment Details to another company."""
    _ensure_open(task, "change the company")
    _ensure_employable(company)
    employment = task.person.current_employment
    if employment is None:
        raise ValidationError("This person has no open Employment Details yet: add them first.")
    record_change(task.person, user, "Employment: Company", employment.company, company)
    employment.company = company
    employment.version += 1
    db.session.flush()
    return employment
