"""Edit a person's details and Employment Details with history and an optimistic version check.

Services flush, never commit. Each save locks the row, compares the version the form was
opened with, records every changed field in the history and bumps the version, so two people
editing the same record cannot silently overwrite each other.
"""

from datetime import date

from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, Employment, Gender, Person, User
from lever_cezanne.people.history import record_change

PERSON_LABELS = {
    "first_name": "First Name",
    "middle_name": "Middle Name",
    "surname": "Surname",
    "known_as": "Known As",
    "full_name": "Full Name",
    "legal_name": "Legal Name",
    "gender_id": "Gender",
    "date_of_birth": "Date of Birth",
    "home_number": "Home Number",
    "work_number": "Work Number",
    "mobile_number": "Mobile Number",
    "other_number": "Other Number",
    "skype_name": "Skype Name",
    "external_email": "External E-mail",
}


class StaleEdit(ValidationError):
    """The record changed since the form was opened."""


def check_version(model, row_id: int, opened_version: int | None, what: str) -> None:
    # Lock the row so a concurrent save waits here and then sees the bumped version.
    current = db.session.scalar(select(model.version).where(model.id == row_id).with_for_update())
    if opened_version != current:
        raise StaleEdit(
            f"Someone else changed {what} while you were editing, so your changes were not "
            "saved. Reload the page to see their changes, then make yours again."
        )


def _clean(value):
    return (value.strip() or None) if isinstance(value, str) else value


def _shown(name: str, value):
    return db.session.get(Gender, value) if name == "gender_id" and value else value


def save_person(person: Person, changes: dict, opened_version: int | None, user: User) -> int:
    """Save Personal Information and Contact Details; return how many fields changed."""
    check_version(Person, person.id, opened_version, f"the details of {person.full_name}")
    changed = 0
    for name, label in PERSON_LABELS.items():
        if name not in changes:
            continue
        old, new = getattr(person, name), _clean(changes[name])
        if old == new:
            continue
        record_change(person, user, label, _shown(name, old), _shown(name, new))
        setattr(person, name, new)
        changed += 1
    if changed:
        person.version += 1
    db.session.flush()
    return changed


def check_employment_id_free(employment_id: str, person_id: int) -> None:
    """Refuse an Employment ID another person's employment has (the same person's earlier
    employments may share it: a re-hire keeps the Person Code as its Employment ID)."""
    owner = db.session.execute(
        select(Person.full_name, Person.person_code)
        .join(Employment, Employment.person_id == Person.id)
        .where(
            func.lower(Employment.employment_id) == employment_id.lower(),
            Employment.person_id != person_id,
        )
        .limit(1)
    ).first()
    if owner is not None:
        raise ValidationError(
            f"The Employment ID '{employment_id}' is already {owner.full_name}'s (Person Code "
            f"{owner.person_code}): choose another, or leave it empty to use this person's code."
        )


def save_employment(
    employment: Employment,
    company: Company,
    hire_date: date,
    employment_id: str,
    opened_version: int | None,
    user: User,
) -> int:
    """Save a person's open Employment Details; return how many fields changed."""
    person = employment.person
    check_version(Employment, employment.id, opened_version, "these Employment Details")
    if company.id != employment.company_id and not company.can_employ:
        raise ValidationError(f"The company '{company.code}' cannot take Employment Details.")
    wanted = {
        "company": ("Company", employment.company, company),
        "hire_date": ("Hire Date", employment.hire_date, hire_date),
        "employment_id": (
            "Employment ID",
            employment.employment_id,
            employment_id.strip() or person.person_code,
        ),
    }
    employment_id = wanted["employment_id"][2]
    if employment_id != employment.employment_id:
        check_employment_id_free(employment_id, person.id)
    changed = 0
    for name, (label, old, new) in wanted.items():
        if old == new:
            continue
        record_change(person, user, f"Employment: {label}", old, new)
        setattr(employment, name, new)
        changed += 1
    if changed:
        employment.version += 1
    db.session.flush()
    return changed
