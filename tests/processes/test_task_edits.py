"""Editing a new starter from their task: who may, the history, bad input and stale saves."""

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from lever_cezanne.models import PersonChange


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _person_form(person, **changes) -> dict:
    data = {
        "first_name": person.first_name,
        "middle_name": person.middle_name or "",
        "surname": person.surname,
        "known_as": person.known_as,
        "full_name": person.full_name,
        "legal_name": person.legal_name,
        "gender_id": str(person.gender_id),
        "date_of_birth": person.date_of_birth.isoformat(),
        "external_email": person.external_email or "",
        "version": str(person.version),
    }
    data.update(changes)
    return data


@pytest.fixture
def task(hr_user, make_person, make_task):
    return make_task(make_person(email="grace@example.com"), hr_user)


def _changes(db, person) -> list[tuple]:
    rows = db.session.scalars(
        select(PersonChange).where(PersonChange.person_id == person.id).order_by(PersonChange.id)
    )
    return [(c.user.username if c.user else None, c.field, c.old_value, c.new_value) for c in rows]


def test_assignee_edits_the_person_and_the_history_shows_it(db, client, hr_user, login_as, task):
    person = task.person
    login_as(hr_user)
    form = _text(client.get(f"/tasks/{task.id}/person"))
    assert 'name="version"' in form and "1990-05-17" in form

    response = client.post(
        f"/tasks/{task.id}/person",
        data=_person_form(person, date_of_birth="1985-01-31", known_as="Amazing Grace"),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")
    db.session.refresh(person)
    assert person.date_of_birth == date(1985, 1, 31) and person.version == 2
    assert _changes(db, person) == [
        ("hr.alex", "Known As", "Grace", "Amazing Grace"),
        ("hr.alex", "Date of Birth", "17 May 1990", "31 Jan 1985"),
    ]
    page = _text(client.get(f"/people/{person.id}"))
    history = page.split('id="history"')[1]
    assert "Alex Morgan" in history and "Date of Birth" in history
    assert "17 May 1990" in history and "31 Jan 1985" in history


def test_saving_unchanged_details_records_nothing(db, client, hr_user, login_as, task):
    login_as(hr_user)
    response = client.post(f"/tasks/{task.id}/person", data=_person_form(task.person))
    assert "Nothing was changed." in _text(client.get(response.headers["Location"]))
    assert _changes(db, task.person) == []


def test_invalid_date_or_overlong_field_saves_nothing(db, client, hr_user, login_as, task):
    person = task.person
    login_as(hr_user)

    html = _text(
        client.post(
            f"/tasks/{task.id}/person",
            data=_person_form(person, date_of_birth="31/01/1985", surname="x" * 101),
        ),
        422,
    )

    assert "Enter a date, e.g. 2024-09-02." in html
    assert "Field cannot be longer than 100 characters." in html
    db.session.refresh(person)
    assert person.surname == "Hopper" and person.version == 1
    assert _changes(db, person) == []


def test_a_concurrent_edit_is_refused_not_overwritten(db, client, hr_user, admin, login_as, task):
    person = task.person
    opened = _person_form(person)  # both editors opened version 1
    login_as(admin)
    client.post(f"/tasks/{task.id}/person", data={**opened, "surname": "Admin-Change"})
    client.post("/auth/logout")
    login_as(hr_user)

    response = client.post(f"/tasks/{task.id}/person", data={**opened, "surname": "Mine"})

    html = _text(response, 409)
    assert "Someone else changed the details of Grace Hopper" in html
    assert "Reload the page" in html
    db.session.refresh(person)
    assert person.surname == "Admin-Change" and person.version == 2
    assert [c[1:] for c in _changes(db, person)] == [("Surname", "Hopper", "Admin-Change")]


def test_employment_is_edited_from_the_task_with_history(
    db, client, hr_user, login_as, task, make_company, make_employment
):
    old = make_company("CEZ-UK", "Cezanne UK Ltd")
    make_company("CEZ-FR", "Cezanne France")
    employment = make_employment(task.person, old, hire_date=date(2026, 3, 2))
    login_as(hr_user)
    form = _text(client.get(f"/tasks/{task.id}/employment/edit"))
    assert 'value="CEZ-UK"' in form and "2026-03-02" in form

    response = client.post(
        f"/tasks/{task.id}/employment/edit",
        data={"company": "CEZ-FR", "hire_date": "2026-04-01", "employment_id": "", "version": 1},
    )

    assert response.status_code == 302
    db.session.refresh(employment)
    assert employment.company.code == "CEZ-FR" and employment.hire_date == date(2026, 4, 1)
    assert [c[1:] for c in _changes(db, task.person)] == [
        ("Employment: Company", "CEZ-UK — Cezanne UK Ltd", "CEZ-FR — Cezanne France"),
        ("Employment: Hire Date", "02 Mar 2026", "01 Apr 2026"),
    ]
    stale = client.post(
        f"/tasks/{task.id}/employment/edit",
        data={"company": "CEZ-UK", "hire_date": "2026-05-01", "version": 1},
    )
    assert "Someone else changed these Employment Details" in _text(stale, 409)
    db.session.refresh(employment)
    assert employment.hire_date == date(2026, 4, 1)


def test_an_employment_id_another_person_has_is_refused(
    db, client, hr_user, login_as, task, make_company, make_employment, make_person
):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    employment = make_employment(task.person, company, hire_date=date(2026, 3, 2))
    other = make_person("Grace", "Hopper", code="DEMO-0001")
    make_employment(other, company, hire_date=date(2024, 1, 8))  # Employment ID DEMO-0001
    login_as(hr_user)
    data = {"company": "CEZ-UK", "hire_date": "2026-03-02", "version": 1}
    taken = client.post(
        f"/tasks/{task.id}/employment/edit", data={**data, "employment_id": "demo-0001"}
    )
    assert taken.status_code == 422
    assert (
        "The Employment ID 'demo-0001' is already Grace Hopper's (Person Code DEMO-0001): choose "
        "another" in _text(taken, 422)
    )
    db.session.refresh(employment)
    assert employment.employment_id != "demo-0001"
    free = client.post(f"/tasks/{task.id}/employment/edit", data={**data, "employment_id": "E-77"})
    assert free.status_code == 302
    db.session.refresh(employment)
    assert employment.employment_id == "E-77"


def test_employment_edit_without_employment_points_to_adding_it(client, hr_user, login_as, task):
    login_as(hr_user)
    response = client.get(f"/tasks/{task.id}/employment/edit")
    assert response.headers["Location"].endswith(f"/tasks/{task.id}#employment")


def test_other_hr_professionals_cannot_edit(client, make_user, login_as, task, make_company):
    login_as(make_user("hr", username="hr.other"))
    for url in (f"/tasks/{task.id}/person", f"/tasks/{task.id}/employment/edit"):
        assert client.get(url).status_code == 403
        assert client.post(url, data=_person_form(task.person)).status_code == 403
    page = _text(client.get(f"/people/{task.person_id}"))
    assert "Edit personal details" not in page


def test_completed_task_details_cannot_be_edited(db, client, hr_user, login_as, task):
    task.status = "completed"
    db.session.commit()
    login_as(hr_user)
    response = client.post(f"/tasks/{task.id}/person", data=_person_form(task.person))
    assert "Reopen it first" in _text(client.get(response.headers["Location"]))


def test_administrator_edit_records_history_too(db, client, admin, login_as, make_person):
    person = make_person()
    login_as(admin)
    client.post(f"/admin/people/{person.id}/edit", data=_person_form(person, surname="Murray"))
    assert _changes(db, person) == [("admin", "Surname", "Hopper", "Murray")]
