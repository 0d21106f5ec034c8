"""Demo data for `flask demo seed`: safe to run any number of times."""

import os
import secrets
import tempfile
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from lever_cezanne import crypto
from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.extensions import db
from lever_cezanne.models import (
    Company,
    Department,
    Employment,
    Gender,
    LeverIntegration,
    Location,
    Person,
    ProcessDefinition,
    User,
)
from lever_cezanne.models.people import GENDER_NOT_KNOWN
from lever_cezanne.models.processes import WITH_ABSENCES, WITHOUT_ABSENCES
from lever_cezanne.org.lookup_services import create_lookup, lookup_taken
from lever_cezanne.org.services import create_company
from lever_cezanne.processes.definition_services import create_process_definition

HR_USERS = [("hr.alex", "Alex Morgan"), ("hr.priya", "Priya Shah"), ("hr.tom", "Tom Becker")]
COMPANIES = [
    ("CEZ-UK", "Cezanne UK Ltd", True),
    ("CEZ-IE", "Cezanne Ireland Ltd", True),
    ("CEZ-OLD", "Cezanne Legacy Holdings", False),
]
PROCESSES = [
    ("Enter a New Starter", WITH_ABSENCES),
    ("Enter a New Starter (Without Absences)", WITHOUT_ABSENCES),
]
DEMO_SUBDOMAIN = "demo"
PEOPLE = [
    ("DEMO-0001", "Grace", "Hopper", "grace.hopper@example.com"),
    ("DEMO-0002", "Alan", "Turing", "alan.turing@example.com"),
    # Line Managers: the Lever simulator's users with these e-mails are the offers' managers.
    ("DEMO-0003", "Hana", "Hiring-Manager", "hana.hm@sandbox.example"),
    ("DEMO-0004", "Sam", "Super-Admin", "sam.admin@sandbox.example"),
]
# The Gender picklist beyond "Not Known" (which every install has), so that "Confirm Gender" can
# be done by choosing one; Administrators keep an organisation's own under Genders.
GENDERS = [("F", "Female"), ("M", "Male"), ("X", "Non-binary")]
# The simulator's offers name these as their Team and Location/Office.
DEPARTMENTS = [("PAY", "Payroll"), ("ENG", "Engineering"), ("PEO", "People"), ("OPS", "Operations")]
LOCATIONS = [("LON", "London"), ("AMS", "Amsterdam"), ("MAD", "Madrid"), ("MAN", "Manchester")]


def ensure_gender_not_known() -> Gender:
    """Return the 'Not Known' gender, creating it if the picklist lacks it."""
    gender = db.session.scalar(select(Gender).where(Gender.code == GENDER_NOT_KNOWN))
    if gender is None:
        gender = Gender(code=GENDER_NOT_KNOWN, description="Not Known")
        db.session.add(gender)
        db.session.flush()
    return gender


def _demo_password(name: str) -> str:
    """Generate a demo password once into instance/ so every run prints the same one. Two seeds
    at the same moment agree on it: the file appears whole (linked from a finished draft) or not
    at all, and the first one linked stands."""
    path = Path(current_app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as draft:  # 0600
            draft.write(secrets.token_urlsafe(12))
        try:
            os.link(draft.name, path)
        except FileExistsError:
            pass  # another seed's, already whole
        finally:
            os.unlink(draft.name)
    return path.read_text().strip()


def _user_exists(username: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(func.lower(User.username) == username)) is not None
    )


def _seed_users() -> list[str]:
    lines = []
    admin_password = _demo_password("demo_admin_password")
    if not _user_exists("admin"):
        create_user("admin", admin_password, "administrator", "Dana Admin", "admin@example.com")
    lines.append(f"Administrator: username admin, password {admin_password}")
    hr_password = _demo_password("demo_hr_password")
    for username, name in HR_USERS:
        if not _user_exists(username):
            create_user(username, hr_password, "hr", name, f"{username}@example.com")
    lines.append(f"HR Professionals: {', '.join(u for u, _ in HR_USERS)}, password {hr_password}")
    return lines


def _seed_companies_and_processes() -> None:
    for code, name, active in COMPANIES:
        exists = db.session.scalar(
            select(Company.id).where(func.lower(Company.code) == code.lower())
        )
        if exists is None:
            create_company(code, name, active=active)
    for name, type_ in PROCESSES:
        if (
            db.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.name == name))
            is None
        ):
            create_process_definition(name, type_)


def _seed_departments_and_locations() -> None:
    for model, rows in ((Department, DEPARTMENTS), (Location, LOCATIONS)):
        for code, name in rows:
            if not lookup_taken(model, "code", code) and not lookup_taken(model, "name", name):
                create_lookup(model, code, name)


def _seed_genders() -> None:
    known = set(db.session.scalars(select(Gender.code)))
    db.session.add_all(
        Gender(code=code, description=text) for code, text in GENDERS if code not in known
    )


def _seed_people(gender: Gender) -> None:
    company = db.session.scalar(select(Company).where(Company.code == COMPANIES[0][0]))
    for code, first, last, email in PEOPLE:
        if db.session.scalar(select(Person.id).where(Person.person_code == code)) is not None:
            continue
        full = f"{first} {last}"
        person = Person(
            person_code=code,
            first_name=first,
            surname=last,
            known_as=first,
            full_name=full,
            legal_name=full,
            gender=gender,
            date_of_birth=date(1990, 1, 1),
            external_email=email,
        )
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Employment(
                person=person, employment_id=code, company=company, hire_date=date(2024, 9, 2)
            )
        )


def _seed_lever_integration() -> str:
    """Create the "demo" Lever integration, signed with the built-in simulator's token."""
    from lever_cezanne.integration.services import Details, save_details
    from lever_cezanne.sandbox import get_webhook_signature_token
    from lever_cezanne.sandbox_mount import lever_sandbox_settings

    state_path = lever_sandbox_settings(current_app).get("STATE_PATH")
    token = get_webhook_signature_token(state_path)
    integration = db.session.scalar(
        select(LeverIntegration).where(
            func.lower(LeverIntegration.subdomain) == DEMO_SUBDOMAIN,
            LeverIntegration.deleted_at.is_(None),
        )
    )
    if integration is None:
        admin = db.session.scalar(select(User).where(User.username == HR_USERS[0][0]))
        company = db.session.scalar(select(Company).where(Company.code == COMPANIES[0][0]))
        save_details(None, Details(DEMO_SUBDOMAIN, token, admin, company))
    elif crypto.decrypt(integration.signature_token_encrypted) != token:
        # The simulator's state was reset and it made a new token: follow it.
        integration.signature_token_encrypted = crypto.encrypt(token)
        integration.signature_token_last4 = token[-4:]
    return (
        f"Lever integration '{DEMO_SUBDOMAIN}': sign in as admin and authorise it under "
        "Integrations › Lever (the built-in Lever simulator answers)."
    )


def seed_demo() -> list[str]:
    """Create the demo organisation and return lines telling how to sign in."""
    gender = ensure_gender_not_known()
    lines = _seed_users()
    _seed_companies_and_processes()
    _seed_departments_and_locations()
    _seed_genders()
    _seed_people(gender)
    db.session.flush()
    lines.append(_seed_lever_integration())
    db.session.flush()
    return lines


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def demo_seed():
    """Create demo users, companies, processes and people (safe to run again)."""
    for line in seed_demo():
        click.echo(line)
    db.session.commit()
