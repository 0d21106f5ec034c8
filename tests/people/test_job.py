"""Job Title, Department, Location, Line Manager and Salary: shown and edited on the person page."""

from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Department, Location, PersonChange, Salary


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def hire(db, make_person, make_employment, company):
    person = make_person("Paula", "Payroll", code="P-PAULA")
    employment = make_employment(person, company, hire_date=date(2026, 3, 2))
    manager = make_person("Sam", "Manager", code="P-SAM")
    payroll = Department(code="PAY", name="Payroll")
    london = Location(code="LON", name="London")
    old = Location(code="OLD", name="Old Street", active=False)
    db.session.add_all([payroll, london, old])
    db.session.commit()
    return {"person": person, "employment": employment, "manager": manager, "payroll": payroll,
            "london": london, "old": old}  # fmt: skip


def _edit(client, person, **data):
    _db.session.expire_all()  # the version the page would show now
    base = {
        "version": person.current_employment.version,
        "job_title": "Payroll Specialist",
        "department_id": "",
        "location_id": "",
        "line_manager_code": "",
        "salary_amount": "",
        "salary_currency": "",
        "salary_interval": "",
        "salary_effective_date": "",
    }
    return client.post(f"/admin/people/{person.id}/job", data={**base, **data})


def test_person_page_shows_the_job_under_the_documented_labels(db, client, hr_user, login_as, hire):
    employment = hire["employment"]
    employment.job_title = "Payroll Specialist"
    employment.department = hire["payroll"]
    employment.location = hire["london"]
    employment.line_manager = hire["manager"]
    db.session.add(
        Salary(employment=employment, amount=Decimal("42000"), currency="GBP", interval="year",
               effective_date=date(2026, 3, 2))
    )  # fmt: skip
    db.session.commit()
    login_as(hr_user)
    text = _text(client.get(f"/people/{hire['person'].id}"))
    for label, value in [
        ("Job Title", "Payroll Specialist"),
        ("Department", "Payroll"),
        ("Location", "London"),
        ("Line Manager", "Sam Manager"),
        ("Salary", "42,000.00 GBP per year from"),
    ]:
        assert f"<dt>{label}</dt><dd>" in text and value in text, label
    assert "Edit job and salary" not in text  # HR Professionals see, Administrators edit


def test_empty_job_fields_say_not_given(client, hr_user, login_as, hire):
    login_as(hr_user)
    text = _text(client.get(f"/people/{hire['person'].id}"))
    assert '<dt>Job Title</dt><dd><span class="muted">Not given</span>' in text
    assert '<dt>Salary</dt><dd><span class="muted">Not given</span>' in text


def test_administrator_edits_job_and_salary(db, client, admin, login_as, hire):
    login_as(admin)
    person = hire["person"]
    assert "Edit job and salary" in _text(client.get(f"/people/{person.id}"))
    form = _text(client.get(f"/admin/people/{person.id}/job"))
    assert "Old Street" not in form  # inactive locations are not offered
    response = _edit(
        client,
        person,
        department_id=str(hire["payroll"].id),
        location_id=str(hire["london"].id),
        line_manager_code="p-sam",
        salary_amount="42000",
        salary_currency="gbp",
        salary_interval="year",
        salary_effective_date="2026-03-02",
    )
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    employment = hire["employment"]
    assert employment.job_title == "Payroll Specialist"
    assert (employment.department_id, employment.location_id) == (
        hire["payroll"].id,
        hire["london"].id,
    )
    assert employment.line_manager_id == hire["manager"].id
    assert employment.current_salary.label == "42,000.00 GBP per year"
    # A raise from a new date keeps the first salary as history; the same date corrects it.
    kept = {
        "department_id": str(hire["payroll"].id),
        "location_id": str(hire["london"].id),
        "line_manager_code": "P-SAM",
        "salary_currency": "GBP",
        "salary_interval": "year",
        "salary_effective_date": "2027-01-01",
    }
    assert _edit(client, person, salary_amount="45000", **kept).status_code == 302
    assert _edit(client, person, salary_amount="46000", **kept).status_code == 302
    amounts = db.session.scalars(select(Salary.amount).order_by(Salary.effective_date)).all()
    assert amounts == [Decimal("42000.00"), Decimal("46000.00")]
    # Every change is in the person's history, by whom, from what to what.
    history = {
        (c.field, c.old_value, c.new_value, c.user.username)
        for c in db.session.scalars(select(PersonChange))
    }
    assert history == {
        ("Employment: Job Title", None, "Payroll Specialist", "admin"),
        ("Employment: Department", None, "PAY — Payroll", "admin"),
        ("Employment: Location", None, "LON — London", "admin"),
        ("Employment: Line Manager", None, "Sam Manager (P-SAM)", "admin"),
        ("Employment: Salary", None, "42,000.00 GBP per year from 02 Mar 2026", "admin"),
        (
            "Employment: Salary",
            "42,000.00 GBP per year from 02 Mar 2026",
            "45,000.00 GBP per year from 01 Jan 2027",
            "admin",
        ),
        (
            "Employment: Salary",
            "45,000.00 GBP per year from 01 Jan 2027",
            "46,000.00 GBP per year from 01 Jan 2027",
            "admin",
        ),
    }
    assert "Employment: Line Manager" in _text(client.get(f"/people/{person.id}"))


def test_a_save_over_a_newer_version_is_refused(db, client, admin, login_as, hire):
    login_as(admin)
    person = hire["person"]
    stale = person.current_employment.version
    assert _edit(client, person, job_title="First").status_code == 302
    db.session.expire_all()
    response = _edit(client, person, job_title="Second", version=stale)
    assert response.status_code == 409
    assert "Someone else changed these Employment Details" in _text(response)
    db.session.expire_all()
    assert hire["employment"].job_title == "First"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"line_manager_code": "NOPE"}, "No person has the Person Code 'NOPE'"),
        ({"line_manager_code": "P-PAULA"}, "cannot be their own Line Manager"),
        ({"salary_amount": "lots"}, "Not a valid decimal value"),
        ({"salary_amount": "1", "salary_currency": "XYZ", "salary_interval": "year",
          "salary_effective_date": "2026-03-02"}, "'XYZ' is not an ISO 4217 currency code"),
        ({"salary_amount": "100"}, "Enter the currency too."),
        ({"salary_amount": "-1", "salary_currency": "GBP", "salary_interval": "year",
          "salary_effective_date": "2026-03-02"}, "Enter an amount in digits, from 0 to"),
        ({"salary_amount": "1e10", "salary_currency": "GBP", "salary_interval": "year",
          "salary_effective_date": "2026-03-02"}, "Enter an amount in digits, from 0 to"),
        *(({"salary_amount": word, "salary_currency": "GBP", "salary_interval": "year",
            "salary_effective_date": "2026-03-02"}, "Enter an amount in digits, from 0 to")
          for word in ("NaN", "sNaN", "Infinity", "-inf")),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(
    db, client, admin, login_as, hire, data, message
):
    login_as(admin)
    response = _edit(client, hire["person"], **data)
    assert response.status_code == 422
    page = _text(response)
    assert message in page
    # One message for a field: a word typed as the amount is not also "out of range".
    assert "Number must be between" not in page
    db.session.expire_all()
    assert hire["employment"].job_title is None and db.session.scalars(select(Salary)).all() == []


def test_an_inactive_department_cannot_be_posted(client, admin, login_as, hire):
    login_as(admin)
    response = _edit(client, hire["person"], location_id=str(hire["old"].id))
    assert response.status_code == 422
    assert "Not a valid choice" in _text(response)


def test_a_person_without_open_employment_has_no_job_form(client, admin, login_as, make_person):
    login_as(admin)
    person = make_person("No", "Job")
    assert client.get(f"/admin/people/{person.id}/job").status_code == 404
