"""Change an employment's job and salary, with history and a version check.

Services flush, never commit. Like the other Employment Details edits (``edits``), a save locks
the row, compares the version the form was opened with, records each changed field in the
person's history and bumps the version.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from lever_cezanne.core.template_filters import DATE_FORMAT
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Employment, Location, Person, Salary, User
from lever_cezanne.people.edits import check_version
from lever_cezanne.people.history import record_change


@dataclass(frozen=True)
class JobChange:
    """What the form asks for: the job, and a salary when one was entered."""

    job_title: str | None
    department: str | None  # a select's value: an id as text, or ""
    location: str | None
    line_manager_code: str | None
    salary: tuple[Decimal, str, str, date] | None  # amount, currency, interval, effective date


def choices(model, current_id: int | None) -> list[SelectChoice]:
    """Return the active rows as select choices, keeping the current one even if inactive."""
    rows = db.session.scalars(
        select(model)
        .where((model.active.is_(True)) | (model.id == current_id))
        .order_by(func.lower(model.name))
    )
    return [
        SelectChoice("", "—"),
        *(SelectChoice(str(r.id), r.name if r.active else f"{r.name} (inactive)") for r in rows),
    ]


def line_manager_by_code(code: str | None, person: Person) -> Person | None:
    """Return the person with this Person Code (any case); refuse unknown codes and oneself."""
    if not code:
        return None
    manager = db.session.scalar(
        select(Person).where(func.lower(Person.person_code) == code.strip().lower())
    )
    if manager is None:
        raise ValidationError(f"No person has the Person Code '{code}'. Check it on People.")
    if manager.id == person.id:
        raise ValidationError("A person cannot be their own Line Manager.")
    return manager


def _lookup(model, raw: str | None, current_id: int | None):
    """Return a chosen Department or Location: active, or the one already set."""
    if not raw:
        return None
    row = db.session.get(model, int(raw)) if raw.isdigit() else None
    if row is None or (not row.active and row.id != current_id):
        raise ValidationError("Choose an active one from the list.")
    return row


def _manager_label(person: Person | None) -> str | None:
    return f"{person.full_name} ({person.person_code})" if person else None


def _salary_label(salary: Salary | None) -> str | None:
    return f"{salary.label} from {salary.effective_date.strftime(DATE_FORMAT)}" if salary else None


def save_job(
    employment: Employment, change: JobChange, opened_version: int | None, user: User
) -> int:
    """Save the job and salary of an open employment; return how many fields changed."""
    person = employment.person
    check_version(Employment, employment.id, opened_version, "these Employment Details")
    manager = line_manager_by_code(change.line_manager_code, person)
    department = _lookup(Department, change.department, employment.department_id)
    location = _lookup(Location, change.location, employment.location_id)
    wanted = {
        "job_title": ("Job Title", employment.job_title, change.job_title or None),
        "department": ("Department", employment.department, department),
        "location": ("Location", employment.location, location),
        "line_manager": ("Line Manager", employment.line_manager, manager),
    }
    changed = 0
    for name, (label, old, new) in wanted.items():
        if old == new:
            continue
        shown = (_manager_label(old), _manager_label(new)) if name == "line_manager" else (
            getattr(old, "label", old), getattr(new, "label", new))  # fmt: skip
        record_change(person, user, f"Employment: {label}", *shown)
        setattr(employment, name, new)
        changed += 1
    if change.salary is not None and _set_salary(employment, *change.salary, user=user):
        changed += 1
    if changed:
        employment.version += 1
    db.session.flush()
    return changed


def _set_salary(
    employment: Employment, amount: Decimal, currency: str, interval: str, effective: date, user
) -> bool:
    """Record a salary: the same effective date corrects that salary, a new date adds one."""
    before = _salary_label(employment.current_salary)  # the text now: the row may change below
    salary = db.session.scalar(
        select(Salary).where(
            Salary.employment_id == employment.id, Salary.effective_date == effective
        )
    )
    if salary is None:
        salary = Salary(employment=employment, effective_date=effective)
        db.session.add(salary)
    elif (salary.amount, salary.currency, salary.interval) == (amount, currency.upper(), interval):
        return False
    salary.amount, salary.currency, salary.interval = amount, currency.upper(), interval
    db.session.flush()
    db.session.refresh(employment, ["salaries"])
    record_change(
        employment.person,
        user,
        "Employment: Salary",
        before,
        _salary_label(employment.current_salary),
    )
    return True
