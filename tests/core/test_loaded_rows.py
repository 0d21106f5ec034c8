"""Rows by one prebuilt statement: the object ends as a flush leaves it, without a query more."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lever_cezanne.core.loaded_rows import RowInsert, insert_row
from lever_cezanne.models import Company, Employment, Gender, Person, Salary, Task, WebhookDelivery
from lever_cezanne.models.processes import TASK_OPEN


def _person(code="P1", first="Zoë", surname="Brontë") -> Person:
    return Person(
        person_code=code,
        first_name=first,
        surname=surname,
        known_as=first,
        full_name=f"{first} {surname}",
        legal_name=f"{first} {surname}",
        date_of_birth=date(1990, 5, 17),
        external_email="zoe@example.com",
    )


def _gender_u():
    return select(Gender.id).where(Gender.code == "U").scalar_subquery()


def test_the_row_is_written_with_listeners_defaults_and_sql_values(db, statements):
    person = RowInsert(Person, gender_id=_gender_u())(_person())

    assert len(statements) == 1 and statements[0].startswith("INSERT INTO people")
    # Read without a query: what the INSERT set, the before_insert listener's words, the
    # defaults and the subquery's value.
    assert person.id and person.name_words == " zoe bronte "
    assert person.version == 1 and person.created_at is not None and person.middle_name is None
    gender_id = person.gender_id
    assert db.session.get(Person, person.id) is person  # in the session as loaded
    assert len(statements) == 1
    assert gender_id == db.session.scalar(select(Gender.id).where(Gender.code == "U"))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert (stored.name_words, stored.full_name) == (" zoe bronte ", "Zoë Brontë")


def test_relationships_load_as_after_a_flush(db, make_company, make_user, make_process, statements):
    company, admin, process = make_company(), make_user(), make_process()
    company_id, admin_id, process_id = company.id, admin.id, process.id
    statements.clear()
    person = RowInsert(Person, gender_id=_gender_u())(_person())
    employment = insert_row(
        Employment(
            person_id=person.id,
            employment_id=person.person_code,
            company_id=company_id,
            hire_date=date(2026, 3, 2),
        )
    )
    salary = insert_row(
        Salary(
            employment_id=employment.id,
            amount=Decimal("55000"),
            currency="GBP",
            interval="year",
            effective_date=employment.hire_date,
        )
    )
    task = insert_row(
        Task(
            definition_id=process_id,
            person_id=person.id,
            assignee_id=admin_id,
            due_date=date(2026, 3, 2),
        )
    )
    assert len(statements) == 4  # the INSERTs alone
    # Before any commit, as after a flush: the rows read from the session, collections load.
    assert task.status == TASK_OPEN and task.person is person and task.assignee is admin
    assert employment.company is company and salary.employment is employment
    assert person.employments == [employment] and employment.salaries == [salary]


def test_a_value_given_for_a_column_the_database_defaults_is_kept(db, make_delivery):
    delivery = make_delivery()
    twin = insert_row(
        WebhookDelivery(
            integration_id=delivery.integration_id,
            token_hash="f" * 64,
            event="candidateHired",
            triggered_at=1700000000000,
            status="received",
            attempts=0,
            lapses=3,
            payload="{}",
        )
    )
    assert twin.lapses == 3
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, twin.id).lapses == 3


def test_a_rollback_takes_the_inserted_object_out_of_the_session(db):
    first = RowInsert(Person, gender_id=_gender_u())(_person())
    db.session.rollback()
    assert first not in db.session

    second = RowInsert(Person, gender_id=_gender_u())(_person("P2"))  # may reuse the id
    assert second in db.session and second.person_code == "P2"


def test_a_refused_row_raises_and_is_not_attached(db):
    RowInsert(Person, gender_id=_gender_u())(_person())
    twin = _person()

    with pytest.raises(IntegrityError):
        RowInsert(Person, gender_id=_gender_u())(twin)
    db.session.rollback()

    assert twin not in db.session
    assert db.session.scalars(select(Person.id).where(Person.person_code == "P1")).all() == []


def test_what_a_flush_would_do_and_an_insert_cannot_is_refused(db, make_company):
    with pytest.raises(TypeError, match="needs the flush"):
        RowInsert(Company)  # its search words are written after a flush
    person = _person()
    person.gender = db.session.scalar(select(Gender).where(Gender.code == "U"))
    with pytest.raises(ValueError, match="foreign keys"):
        RowInsert(Person)(person)
