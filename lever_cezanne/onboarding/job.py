"""Map a signed Lever offer to the Employment's job: Job Title, Department, Location, Line Manager
and Salary.

Nothing is guessed: a value that does not map leaves its field empty and adds a Warning that says
what Lever had and where to fix it.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from sqlalchemy import Row, bindparam, cast, false, func, null, select, true, union_all

from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location, Person, User
from lever_cezanne.models.people import SALARY_INTERVALS
from lever_cezanne.onboarding.offers import SignedOffer

# Cezanne HR target -> the offer identifiers read for it, first non-empty wins.
DEFAULT_FIELD_MAP: dict[str, tuple[str, ...]] = {
    "job_title": ("job_title",),
    "department": ("team",),
    "location": ("location/office",),
    "line_manager": ("direct_manager", "hiring_manager"),
    "salary_amount": ("salary_amount",),
    "salary_currency": ("compensation_currency",),
    "salary_interval": ("salary_interval",),
    "hire_date": ("anticipated_start_date",),
}
# The targets as HR reads them, in the order the Field mapping tab lists them.
TARGET_LABELS = {
    "job_title": "Job Title",
    "department": "Department",
    "location": "Location",
    "line_manager": "Line Manager (by e-mail)",
    "salary_amount": "Salary amount",
    "salary_currency": "Salary currency",
    "salary_interval": "Salary interval",
    "hire_date": "Hire Date",
}
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")
_INTERVAL = re.compile(r"^(?:per[-_ ]?)?(year|month|week|day|hour)(?:[-_ ][a-z]+)?$")
_INTERVAL_WORDS = {
    "annual": "year",
    "annually": "year",
    "yearly": "year",
    "monthly": "month",
    "weekly": "week",
    "daily": "day",
    "hourly": "hour",
}
ResolveUser = Callable[[str], dict | None]


@dataclass(frozen=True)
class SalaryTerms:
    amount: Decimal
    currency: str
    interval: str


@dataclass
class JobDetails:
    """What a signed offer gives the Employment, with labels for the Preview and Warnings."""

    offer_id: str | None = None
    job_title: str | None = None
    department_id: int | None = None
    location_id: int | None = None
    line_manager_id: int | None = None
    salary: SalaryTerms | None = None
    labels: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def employment_fields(self) -> dict:
        """Return the Employment columns this offer fills."""
        return {
            "job_title": self.job_title,
            "department_id": self.department_id,
            "location_id": self.location_id,
            "line_manager_id": self.line_manager_id,
        }


def field_map_for(chosen: dict | None) -> dict[str, tuple[str, ...]]:
    """Return an integration's map: the targets it chose over the defaults."""
    chosen = chosen or {}
    return {
        target: tuple(chosen.get(target) or default)
        for target, default in DEFAULT_FIELD_MAP.items()
    }


def fold(text: str) -> str:
    """Return text for matching: accents dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _pick(offer: SignedOffer, identifiers: tuple[str, ...]) -> tuple[str | None, object]:
    """Return the first identifier with a value, and that value."""
    for identifier in identifiers:
        value = offer.value(identifier)
        if value not in (None, "", []):
            return identifier, value
    return None, None


def map_job(
    offer: SignedOffer | None, resolve_user: ResolveUser, field_map: dict | None = None
) -> JobDetails:
    """Map the signed offer's job fields; with no signed offer, nothing is mapped."""
    if offer is None:
        return JobDetails()
    sources = {**DEFAULT_FIELD_MAP, **(field_map or {})}
    job = JobDetails(offer_id=offer.id or None)
    _job_title(job, offer, sources["job_title"])
    _lookup(job, offer, sources["department"], Department, "Department", "Departments")
    _lookup(job, offer, sources["location"], Location, "Location", "Locations")
    _line_manager(job, offer, sources["line_manager"], resolve_user)
    _salary(job, offer, sources)
    return job


def _said(offer: SignedOffer, identifier: str, value) -> str:
    return f"The offer's {offer.texts.get(identifier, identifier)} ({identifier}) was {value!r}"


def _job_title(job: JobDetails, offer: SignedOffer, identifiers) -> None:
    identifier, value = _pick(offer, identifiers)
    if identifier is None:
        return
    if not isinstance(value, str | int) or isinstance(value, bool):
        job.warnings.append(
            f"{_said(offer, identifier, value)}, which is not a job title, so Job Title is empty. "
            "Enter it on the person's page."
        )
        return
    title = " ".join(str(value).split())
    if len(title) > 200:
        title = title[:200]
        job.warnings.append("Job Title was longer than 200 characters and was shortened.")
    job.job_title = title or None
    if title:
        job.labels["job_title"] = title


def _lookup(job: JobDetails, offer: SignedOffer, identifiers, model, label: str, screen: str):
    """Match a Department or Location by name (then code), ignoring case and accents."""
    identifier, value = _pick(offer, identifiers)
    if identifier is None:
        return
    wanted = fold(str(value)) if isinstance(value, str | int) else ""
    rows = list(db.session.scalars(select(model)))
    found = [r for r in rows if fold(r.name) == wanted] or [
        r for r in rows if fold(r.code) == wanted
    ]
    where = (
        f"Add it under {screen} (or correct the offer in Lever), then set "
        f"{label} on the person's page."
    )
    if not found:
        job.warnings.append(
            f"{_said(offer, identifier, value)}: no {label} has that name, so "
            f"{label} is empty. {where}"
        )
        return
    row = found[0]
    if not row.active:
        job.warnings.append(
            f"{_said(offer, identifier, value)}: the {label} {row.label} is inactive, so {label} "
            f"is empty. Activate it under {screen}, then set {label} on the "
            "person's page."
        )
        return
    setattr(job, f"{label.lower()}_id", row.id)
    job.labels[label.lower()] = row.label


def _line_manager(job: JobDetails, offer, identifiers, resolve_user: ResolveUser) -> None:
    identifier, value = _pick(offer, identifiers)
    if identifier is None:
        return
    fix = "Set the Line Manager on the person's page."
    if not isinstance(value, str):
        job.warnings.append(f"{_said(offer, identifier, value)}, not a Lever user. {fix}")
        return
    email, who = value.strip(), f"{value.strip()!r}"
    if "@" not in email:
        user = resolve_user(email)
        email = user.get("email") if isinstance(user, dict) else None
        if not isinstance(email, str) or "@" not in email:
            job.warnings.append(
                f"{_said(offer, identifier, value)}, a Lever user that Lever could not give us "
                f"with an e-mail address, so Line Manager is empty. {fix}"
            )
            return
        who = f"{user.get('name') or 'the Lever user'} ({email})"
    person = _person_by_email(email)
    if not isinstance(person, str):
        job.line_manager_id = person.id
        job.labels["line_manager"] = f"{person.full_name} ({person.person_code})"
        return
    job.warnings.append(
        f"The offer's {offer.texts.get(identifier, identifier)} is {who}, "
        f"but {person}, so Line Manager is empty. {fix}"
    )


# Only the columns the job uses: a whole Person or User costs a worker more to load than the
# query itself. One statement: up to two people with the e-mail, and a user who has it (which
# only the message reads, when there is no person). Built once: a statement built per hire cost
# the worker more than running it.
_EMAIL = bindparam("email")
_PEOPLE_BY_EMAIL = (
    select(false().label("is_user"), Person.id, Person.full_name, Person.person_code)
    .where(func.lower(Person.external_email) == _EMAIL)
    .limit(2)
    .subquery()
)
_USER_BY_EMAIL = (
    select(
        true().label("is_user"),
        cast(null(), Person.id.type).label("id"),
        User.display_name.label("full_name"),
        cast(null(), Person.person_code.type).label("person_code"),
    )
    .where(func.lower(User.email) == _EMAIL)
    .limit(1)
    .subquery()
)
_BY_EMAIL = union_all(select(_PEOPLE_BY_EMAIL), select(_USER_BY_EMAIL))


def _person_by_email(email: str) -> Row | str:
    """Return the one person with this External E-mail (id, full_name, person_code), or why there
    is none to choose."""
    rows = db.session.execute(_BY_EMAIL, {"email": email.lower()}).all()
    people = [row for row in rows if not row.is_user]
    if len(people) == 1:
        return people[0]
    if people:
        return "several people in Cezanne HR have that External E-mail"
    user_name = next((row.full_name for row in rows if row.is_user), None)
    if user_name is not None:
        return (
            f"the Cezanne HR user {user_name} has that e-mail and no person record has it "
            "as External E-mail"
        )
    return "no person in Cezanne HR has that External E-mail"


def _salary(job: JobDetails, offer: SignedOffer, sources: dict) -> None:
    picks = {
        part: _pick(offer, sources[f"salary_{part}"]) for part in ("amount", "currency", "interval")
    }
    if all(identifier is None for identifier, _ in picks.values()):
        return
    amount = _amount(job, offer, *picks["amount"])
    currency = _currency(job, offer, *picks["currency"])
    interval = _interval(job, offer, *picks["interval"])
    if amount is None or currency is None or interval is None:
        return
    job.salary = SalaryTerms(amount, currency, interval)
    job.labels["salary"] = f"{amount:,.2f} {currency} {SALARY_INTERVALS[interval]}"


def _salary_warning(job: JobDetails, what: str) -> None:
    job.warnings.append(
        f"{what}, so no Salary was recorded. Enter the salary on the person's page."
    )


def _amount(job, offer, identifier, value) -> Decimal | None:
    if identifier is None:
        _salary_warning(job, "The offer has no salary amount")
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        _salary_warning(job, f"{_said(offer, identifier, value)}, which is not an amount")
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _currency(job, offer, identifier, value) -> str | None:
    if identifier is None:
        _salary_warning(job, "The offer has no compensation currency")
        return None
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        _salary_warning(
            job, f"{_said(offer, identifier, value)}, which is not an ISO 4217 currency code"
        )
        return None
    return code


def _interval(job, offer, identifier, value) -> str | None:
    if identifier is None:
        _salary_warning(job, "The offer has no salary interval")
        return None
    text = value.strip().lower() if isinstance(value, str) else ""
    match = _INTERVAL.match(text)
    interval = match.group(1) if match else _INTERVAL_WORDS.get(text)
    if interval is None:
        _salary_warning(
            job,
            f"{_said(offer, identifier, value)}, which is not an interval Cezanne HR knows "
            "(per year, month, week, day or hour)",
        )
    return interval
