"""One new row by a prebuilt INSERT: the object ends as a flush leaves it, without a query more."""

from datetime import date

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from lever_cezanne.core.row_insert import RowInsert, insert_row
from lever_cezanne.models import Employment, Gender, Person, Task
from lever_cezanne.models.processes import TASK_OPEN


@pytest.fixture
def statements(db):
    sent = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test's own
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


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


def test_relationships_load_as_after_a_flush(db, make_company, make_user, make_process):
    person = RowInsert(Person, gender_id=_gender_u())(_person())
    company, admin, process = make_company(), make_user(), make_process()
    employment = insert_row(
        Employment(
            person_id=person.id,
            employment_id=person.person_code,
            company_id=company.id,
            hire_date=date(2026, 3, 2),
        )
    )
    task = insert_row(
        Task(
            definition_id=process.id,
            person_id=person.id,
            assignee_id=admin.id,
            due_date=date(2026, 3, 2),
        )
    )
    db.session.commit()

    assert task.status == TASK_OPEN and task.person is person and task.assignee is admin
    assert employment.company is company and person.employments == [employment]


def test_a_refused_row_raises_and_is_not_attached(db):
    RowInsert(Person, gender_id=_gender_u())(_person())
    twin = _person()

    with pytest.raises(IntegrityError):
        RowInsert(Person, gender_id=_gender_u())(twin)
    db.session.rollback()

    assert twin not in db.session
    assert db.session.scalars(select(Person.id).where(Person.person_code == "P1")).all() == []
