"""A signed offer -> Job Title, Department, Location, Line Manager and Salary, never guessed."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from lever_cezanne.models import Department, Gender, Location, Person
from lever_cezanne.onboarding.job import SalaryTerms, fold, map_job
from lever_cezanne.onboarding.offers import latest_signed_offer, offer_identifiers, read_offer

HANA_ID = "aa290857-ef5a-4696-8b85-62e8d495dc4b"
LEVER_USERS = {HANA_ID: {"id": HANA_ID, "name": "Hana Hiring", "email": "Hana.HM@Example.com"}}


def _offer(status="signed", created_at=1, offer_id=None, **values):
    fields = {
        "job_title": "Back End Software Engineer",
        "salary_amount": 55000,
        "compensation_currency": "GBP",
        "salary_interval": "per-year-salary",
        "hiring_manager": HANA_ID,
        "direct_manager": None,
        "team": "Engineering",
        "location/office": "Zürich",
        **values,
    }
    return {
        "id": offer_id or f"offer-{created_at}",
        "status": status,
        "createdAt": created_at,
        "fields": [
            {"text": k.replace("_", " ").capitalize(), "identifier": k, "value": v}
            for k, v in fields.items()
        ],
    }


@pytest.fixture
def organisation(db, make_company):
    company = make_company()
    engineering = Department(code="ENG", name="Engineering")
    zurich = Location(code="ZRH", name="Zurich")
    hana = Person(
        person_code="P-HANA",
        first_name="Hana",
        surname="Hiring",
        known_as="Hana",
        full_name="Hana Hiring",
        legal_name="Hana Hiring",
        gender=db.session.scalar(select(Gender)),
        date_of_birth=date(1980, 1, 1),
        external_email="hana.hm@example.com",
    )
    db.session.add_all([engineering, zurich, hana])
    db.session.commit()
    return {"company": company, "engineering": engineering, "zurich": zurich, "hana": hana}


def _map(*offers, field_map=None):
    return map_job(latest_signed_offer(list(offers)), LEVER_USERS.get, field_map)


def test_a_full_signed_offer_maps_every_field(organisation):
    job = _map(_offer())
    assert job.job_title == "Back End Software Engineer"
    assert job.department_id == organisation["engineering"].id
    # "Zürich" in Lever matches the location named "Zurich": accents and case are ignored.
    assert job.location_id == organisation["zurich"].id
    # No direct manager: the hiring manager, resolved in Lever, matched by e-mail in any case.
    assert job.line_manager_id == organisation["hana"].id
    assert job.salary == SalaryTerms(Decimal("55000.00"), "GBP", "year")
    assert job.warnings == []
    assert job.labels["salary"] == "55,000.00 GBP per year"


def test_the_most_recent_signed_offer_wins(organisation):
    older = _offer(created_at=1, job_title="Old title")
    newer = _offer(created_at=5, job_title="New title")
    unsigned = _offer(status="sent", created_at=9, job_title="Not signed")
    offer = latest_signed_offer([older, unsigned, newer])
    assert offer.id == "offer-5" and offer.value("job_title") == "New title"
    assert _map(older, unsigned, newer).job_title == "New title"


def test_no_signed_offer_maps_nothing(organisation):
    job = _map(_offer(status="approved"))
    assert job.employment_fields() == dict.fromkeys(
        ("job_title", "department_id", "location_id", "line_manager_id")
    )
    assert job.salary is None and job.warnings == []


def test_direct_manager_wins_over_hiring_manager(organisation, db):
    other_id = "ac92b6db-6e40-4b08-ae7b-236ba24f0a82"
    LEVER_USERS[other_id] = {"id": other_id, "name": "Dee Direct", "email": "dee@example.com"}
    try:
        job = _map(_offer(direct_manager=other_id))
    finally:
        del LEVER_USERS[other_id]
    assert job.line_manager_id is None
    [warning] = job.warnings
    assert "Dee Direct (dee@example.com)" in warning
    assert "no person in Cezanne HR has that External E-mail" in warning
    assert "Set the Line Manager on the person's page" in warning


def test_a_manager_lever_does_not_know_is_a_warning(organisation):
    job = _map(_offer(hiring_manager="no-such-user"))
    assert job.line_manager_id is None
    assert "'no-such-user'" in job.warnings[0] and "Line Manager is empty" in job.warnings[0]


def _managed_by(email: str):
    """Map an offer whose hiring manager is a Lever user with this e-mail."""
    LEVER_USERS["una"] = {"id": "una", "name": "Una", "email": email}
    try:
        return _map(_offer(hiring_manager="una"))
    finally:
        del LEVER_USERS["una"]


def test_a_manager_who_is_only_a_user_is_named_in_the_warning(organisation, make_user):
    make_user(display_name="Una User", email="una@example.com")
    job = _managed_by("UNA@example.com")
    assert job.line_manager_id is None
    assert "the Cezanne HR user Una User has that e-mail" in job.warnings[0]


def test_a_manager_who_is_a_person_and_a_user_is_the_person(organisation, make_user, make_person):
    make_user(display_name="Una User", email="una@example.com")
    una = make_person("Una", "Manager", email="Una@Example.com")
    job = _managed_by("una@example.com")
    assert job.line_manager_id == una.id and job.warnings == []
    assert job.labels["line_manager"] == f"Una Manager ({una.person_code})"


def test_a_manager_email_two_people_share_is_a_warning(organisation, make_person):
    make_person("Una", "One", email="una@example.com")
    make_person("Una", "Two", email="una@example.com")
    job = _managed_by("una@example.com")
    assert job.line_manager_id is None
    assert "several people in Cezanne HR have that External E-mail" in job.warnings[0]


def test_unmatched_department_and_inactive_location_stay_empty(organisation, db):
    organisation["zurich"].active = False
    db.session.commit()
    job = _map(_offer(team="Marketing"))
    assert job.department_id is None and job.location_id is None
    department, location = job.warnings
    assert "'Marketing'" in department and "Add it under Departments" in department
    assert "ZRH — Zurich is inactive" in location


def test_department_matches_a_code_when_no_name_does(organisation):
    assert _map(_offer(team="eng")).department_id == organisation["engineering"].id


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"salary_amount": "lots"}, "'lots', which is not an amount"),
        ({"salary_amount": -5}, "which is not an amount"),
        ({"salary_amount": True}, "which is not an amount"),
        ({"salary_amount": "NaN"}, "which is not an amount"),
        ({"compensation_currency": "XYZ"}, "'XYZ', which is not an ISO 4217 currency code"),
        ({"salary_interval": "per-fortnight"}, "not an interval Cezanne HR knows"),
        ({"compensation_currency": None}, "The offer has no compensation currency"),
    ],
)
def test_bad_salary_leaves_it_empty_with_a_warning(organisation, values, expected):
    job = _map(_offer(**values))
    assert job.salary is None
    [warning] = job.warnings
    assert expected in warning and "Enter the salary on the person's page" in warning
    assert job.job_title  # the rest of the offer still maps


@pytest.mark.parametrize(
    "amount,currency,interval,expected",
    [
        ("72,500.505", "eur", "per-month-salary", SalaryTerms(Decimal("72500.51"), "EUR", "month")),
        (25.5, "USD", "per-hour-wage", SalaryTerms(Decimal("25.50"), "USD", "hour")),
        (400, "CHF", "daily", SalaryTerms(Decimal("400.00"), "CHF", "day")),
    ],
)
def test_salary_values_are_normalised(organisation, amount, currency, interval, expected):
    offer = _offer(salary_amount=amount, compensation_currency=currency, salary_interval=interval)
    assert _map(offer).salary == expected


def test_an_offer_without_pay_records_no_salary_and_no_warning(organisation):
    offer = _offer(salary_amount=None, compensation_currency=None, salary_interval=None)
    job = _map(offer)
    assert job.salary is None and job.warnings == []


def test_a_custom_field_can_feed_department(organisation):
    offer = _offer(team="Sales", custom_cost_centre="Engineering")
    job = _map(offer, field_map={"department": ("custom_cost_centre",)})
    assert job.department_id == organisation["engineering"].id
    assert job.warnings == []


def test_a_manager_field_may_hold_an_e_mail(organisation):
    offer = _offer(custom_manager_email="HANA.hm@example.com")
    job = _map(offer, field_map={"line_manager": ("custom_manager_email",)})
    assert job.line_manager_id == organisation["hana"].id


def test_malformed_offers_are_skipped_not_a_crash(organisation):
    offers = [
        "junk",
        {"status": "signed", "createdAt": "yesterday", "fields": ["x", {"identifier": 3}]},
        {"status": "signed", "createdAt": 2, "fields": [{"identifier": "job_title", "value": []}]},
    ]
    job = _map(*offers)
    assert job.job_title is None and job.warnings == []
    assert read_offer({"fields": "junk"}).values == {}


def test_identifiers_seen_in_offers_keep_lever_labels():
    seen = offer_identifiers([_offer(custom_equity=5), "junk"])
    assert seen["custom_equity"] == "Custom equity"
    assert "location/office" in seen


def test_fold_ignores_case_accents_and_spaces():
    assert fold("  Zürich  Office ") == fold("ZURICH office") == "zurich office"
    assert fold("Kraków") == "krakow"
