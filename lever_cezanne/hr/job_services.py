"""Change an employment's job and salary. Services flush, never commit."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from lever_cezanne.admin.services import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Employment, Location, Person, Salary

JOB_FIELDS = ("job_title", "department_id", "location_id", "line_manager_id")


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


def line_manager_by_code(code: str | None, person: Person) -> int | None:
    """Return the id of the person with this Person Code (any case); refuse unknown codes."""
    if not code:
        return None
    manager = db.session.scalar(
        select(Person).where(func.lower(Person.person_code) == code.strip().lower())
    )
    if manager is None:
        raise ValidationError(f"No person has the Person Code '{code}'. Check it on People.")
    if manager.id == person.id:
        raise ValidationError("A person cannot be their own Line Manager.")
    return manager.id


def _lookup_id(model, raw: str | None, current_id: int | None) -> int | None:
    """Return a chosen Department or Location id: active, or the one already set."""
    if not raw:
        return None
    row = db.session.get(model, int(raw)) if raw.isdigit() else None
    if row is None or (not row.active and row.id != current_id):
        raise ValidationError("Choose an active one from the list.")
    return row.id


def update_job(employment: Employment, job_title, department, location, line_manager_id) -> None:
    """Set the employment's Job Title, Department, Location and Line Manager."""
    employment.job_title = job_title or None
    employment.department_id = _lookup_id(Department, department, employment.department_id)
    employment.location_id = _lookup_id(Location, location, employment.location_id)
    employment.line_manager_id = line_manager_id
    db.session.flush()


def set_salary(
    employment: Employment, amount: Decimal, currency: str, interval: str, effective: date
) -> Salary:
    """Record a salary: the same effective date corrects that salary, a new date adds one."""
    salary = db.session.scalar(
        select(Salary).where(
            Salary.employment_id == employment.id, Salary.effective_date == effective
        )
    )
    if salary is None:
        salary = Salary(employment_id=employment.id, effective_date=effective)
        db.session.add(salary)
    salary.amount, salary.currency, salary.interval = amount, currency.upper(), interval
    db.session.flush()
    return salary
