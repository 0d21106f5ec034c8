"""Factories for people, Employment Details and New Starter tasks."""

from datetime import date

import pytest
from sqlalchemy import select

from lever_cezanne.models import Employment, Gender, Person, Task


@pytest.fixture
def make_person(db):
    counter = iter(range(1, 100000))

    def make(first="Grace", surname="Hopper", code=None, email=None, **attrs):
        n = next(counter)
        gender = db.session.scalar(select(Gender).where(Gender.code == "U"))
        person = Person(
            person_code=code or f"P{n:05}",
            first_name=first,
            surname=surname,
            known_as=first,
            full_name=f"{first} {surname}",
            legal_name=f"{first} {surname}",
            gender=gender,
            date_of_birth=date(1990, 5, 17),
            external_email=email,
            **attrs,
        )
        db.session.add(person)
        db.session.commit()
        return person

    return make


@pytest.fixture
def make_employment(db):
    def make(person, company, hire_date=date(2026, 3, 2), termination_date=None):
        employment = Employment(
            person=person,
            company=company,
            employment_id=person.person_code,
            hire_date=hire_date,
            termination_date=termination_date,
        )
        db.session.add(employment)
        db.session.commit()
        return employment

    return make


@pytest.fixture
def make_task(db, make_process):
    definitions = []

    def make(person, assignee, status="open"):
        if not definitions:
            definitions.append(make_process())
        task = Task(definition=definitions[0], person=person, assignee=assignee, status=status)
        db.session.add(task)
        db.session.commit()
        return task

    return make
