"""The Field mapping tab: map custom offer fields, fetch identifiers from Lever, and Preview."""

from html import unescape

import pytest
from sqlalchemy import func, select

from lever_cezanne.models import (
    Department,
    Employment,
    LeverIntegration,
    Location,
    LogEntry,
    Person,
    Salary,
    Task,
)
from lever_cezanne.onboarding.job import DEFAULT_FIELD_MAP

FULL_OFFER = {
    "status": "signed",
    "title": "Payroll Specialist",
    "salary": 42000,
    "team": "Sales",
    "office": "London",
    "direct_manager": None,
    "hiring_manager": None,
    "custom": {"cost_centre": "Payroll", "manager_email": "sam@example.com"},
}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _url(integration, tail=""):
    return f"/integrations/lever/{integration.id}/mapping{tail}"


def _form(**chosen):
    return {target: ", ".join(sources) for target, sources in DEFAULT_FIELD_MAP.items()} | chosen


def test_the_tab_shows_the_defaults(client, admin, login_as, integration):
    login_as(admin)
    text = _text(client.get(_url(integration)))
    assert ">Field mapping</a>" in text
    assert 'value="direct_manager, hiring_manager"' in text
    assert 'value="location/office"' in text
    for label in ("Job Title", "Department", "Line Manager (by e-mail)", "Salary currency"):
        assert label in text


def test_saving_keeps_only_what_differs_from_the_defaults(db, client, admin, login_as, integration):
    login_as(admin)
    response = client.post(_url(integration), data=_form(department="Custom_Cost_Centre "))
    assert response.status_code == 302
    text = _text(client.get(response.headers["Location"]))
    assert "Field mapping saved" in text
    assert "Not seen in this account's offers yet: custom_cost_centre" in text
    db.session.expire_all()
    assert integration.field_map == {"department": ["custom_cost_centre"]}
    # An empty box means the default again.
    client.post(_url(integration), data=_form(department=""))
    db.session.expire_all()
    assert integration.field_map == {}


@pytest.mark.parametrize(
    "chosen,message",
    [
        ({"department": "Cost Centre"}, "'cost centre' is not an offer field identifier"),
        ({"location": "team"}, "'team' is mapped to both Department and Location"),
        ({"job_title": "a, b, c, d, e, f"}, "name at most 5 offer fields"),
    ],
)
def test_saving_validates_the_map(db, client, admin, login_as, integration, chosen, message):
    login_as(admin)
    response = client.post(_url(integration), data=_form(**chosen))
    assert response.status_code == 422
    assert message in _text(response)
    db.session.expire_all()
    assert integration.field_map == {}


def test_hr_professionals_cannot_open_the_tab(client, hr_user, login_as, integration):
    login_as(hr_user)
    assert client.get(_url(integration)).status_code == 403
    assert ">Field mapping</a>" not in _text(
        client.get(f"/integrations/lever/{integration.id}/log")
    )


@pytest.fixture
def organisation(db, make_person):
    db.session.add_all(
        [Department(code="PAY", name="Payroll"), Location(code="LON", name="London")]
    )
    db.session.commit()
    return make_person("Sam", "Manager", code="P-SAM", email="Sam@Example.com")


def _counts(db):
    db.session.expire_all()
    return [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Person, Employment, Salary, Task, LogEntry)
    ]


def test_preview_uses_the_map_and_writes_nothing(
    db, client, admin, login_as, authorised, lever_server, organisation
):
    opportunity_id = lever_server.store.add_candidate(
        {"name": "Paula Preview", "emails": ["paula@example.com"], "offer": FULL_OFFER}
    )
    lever_server.store.hire(opportunity_id)
    login_as(admin)
    client.post(
        _url(authorised),
        data=_form(department="custom_cost_centre", line_manager="custom_manager_email"),
    )
    before = _counts(db)
    response = client.get(_url(authorised, f"/preview?opportunity={opportunity_id}"))
    text = _text(response)
    assert response.status_code == 200, text
    assert "Paula Preview" in text and "Payroll Specialist" in text
    assert "PAY — Payroll" in text  # from custom_cost_centre, not the offer's team "Sales"
    assert "Sam Manager (P-SAM)" in text  # the custom field held an e-mail
    assert "42,000.00 GBP per year" in text
    assert "No Warnings." in text, text[text.index("Warnings a hire") :]
    assert "is not hired" not in text
    assert _counts(db) == before


def test_preview_lists_warnings_and_a_missing_opportunity(
    db, client, admin, login_as, authorised, lever_server, organisation
):
    offer = {**FULL_OFFER, "currency": "XYZ"}
    opportunity_id = lever_server.store.add_candidate({"name": "Will Warn", "offer": offer})
    login_as(admin)
    text = _text(client.get(_url(authorised, f"/preview?opportunity={opportunity_id}")))
    assert "'XYZ', which is not an ISO 4217 currency code" in text
    assert "'Sales'" in text  # the default team matches no department
    assert "is not hired" in text
    missing = "00000000-0000-0000-0000-000000000000"
    text = _text(client.get(_url(authorised, f"/preview?opportunity={missing}")))
    assert f"Lever has no opportunity {missing}: copy the id from the candidate" in text
    response = client.get(_url(authorised, "/preview?opportunity=../x"))
    assert response.status_code == 422 and "A Lever opportunity id" in _text(response)


def test_fetch_from_lever_remembers_offer_identifiers(
    db, client, admin, login_as, authorised, lever_server
):
    lever_server.store.add_candidate({"name": "Fiona Fields", "offer": FULL_OFFER})
    login_as(admin)
    response = client.post(_url(authorised, "/fetch"))
    assert "offer fields are known for this account" in _text(
        client.get(response.headers["Location"])
    )
    db.session.expire_all()
    fields = db.session.get(LeverIntegration, authorised.id).offer_fields
    assert fields["custom_cost_centre"] == "cost_centre"
    assert fields["location/office"] == "Location"
    text = _text(client.get(_url(authorised)))
    assert '<option value="custom_manager_email">manager_email</option>' in text
