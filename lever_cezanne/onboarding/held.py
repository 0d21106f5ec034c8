"""A mapped hire kept as JSON while it waits for review, and read back unchanged."""

import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from lever_cezanne.onboarding.job import JobDetails, SalaryTerms
from lever_cezanne.onboarding.mapping import NewStarter


def _encode(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def dump_starter(starter: NewStarter) -> str:
    """Return the hire as JSON (dates as ISO strings, money as decimal strings)."""
    return json.dumps(asdict(starter), default=_encode)


def load_starter(raw: str) -> NewStarter:
    """Read back a hire stored by dump_starter."""
    data = json.loads(raw)
    person = dict(data["person"])
    if person.get("date_of_birth"):
        person["date_of_birth"] = date.fromisoformat(person["date_of_birth"])
    job = dict(data.get("job") or {})
    salary = job.pop("salary", None)
    if salary:
        salary = SalaryTerms(Decimal(salary["amount"]), salary["currency"], salary["interval"])
    return NewStarter(
        person=person,
        hire_date=date.fromisoformat(data["hire_date"]),
        opportunity_id=data["opportunity_id"],
        warnings=list(data.get("warnings") or []),
        hire_date_warning=data.get("hire_date_warning"),
        job=JobDetails(**job, salary=salary),
    )
