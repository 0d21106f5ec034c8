"""The Details form: validation, encrypted signature token, webhook URL, who sees what."""

import pytest
from sqlalchemy import select, text

from lever_cezanne import crypto
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.base import utcnow


def _only_integration(db):
    return db.session.scalars(select(LeverIntegration)).one()


def test_admin_adds_an_integration_and_is_asked_to_authorise(client, db, admin, login_as, details):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details)

    integration = _only_integration(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/integrations/lever/{integration.id}/authorise")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You will now be redirected to Lever to authorise the integration" in page
    assert integration.subdomain == "CezanneHR"
    assert integration.admin_user.username == "hr.alex"
    assert integration.default_company.code == "CEZ-UK"
    assert crypto.decrypt(integration.signature_token_encrypted) == details["signature_token"]


def test_signature_token_is_encrypted_at_rest(client, db, admin, login_as, details):
    login_as(admin)
    client.post("/integrations/lever/new", data=details)

    row = db.session.execute(text("SELECT * FROM lever_integrations")).mappings().one()
    assert details["signature_token"] not in " ".join(str(value) for value in row.values())
    assert row["signature_token_last4"] == "e089"


@pytest.mark.parametrize(
    "subdomain,message",
    [
        ("ACME", "already uses the subdomain"),
        ("acme corp", "letters, digits, hyphens"),
        ("acme.co", "letters, digits, hyphens"),
        ("x" * 64, "at most 63"),
        ("", "Enter the subdomain"),
    ],
)
def test_bad_subdomains_are_refused(
    client, db, admin, login_as, details, integration, subdomain, message
):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"subdomain": subdomain})

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(LeverIntegration).where(LeverIntegration.id != integration.id))
        is None
    )


def test_a_deleted_integrations_subdomain_can_be_used_again(
    client, db, admin, login_as, details, integration
):
    integration.deleted_at = utcnow()
    db.session.commit()
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"subdomain": "Acme"})
    assert response.status_code == 302


def test_signature_token_is_required_on_create(client, admin, login_as, details):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"signature_token": ""})
    assert "Enter the Signature Token" in response.get_data(as_text=True)


def test_a_short_signature_token_is_refused_and_never_stored(
    client, db, admin, login_as, details, integration
):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"signature_token": "tok"})
    assert response.status_code == 200
    assert "This is too short for a Signature Token" in response.get_data(as_text=True)
    stored = integration.signature_token_encrypted
    edit = client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": "0123456789abcde"},
    )
    assert "This is too short for a Signature Token" in edit.get_data(as_text=True)
    db.session.refresh(integration)
    assert integration.signature_token_encrypted == stored


@pytest.mark.parametrize("change", [{"active": False}, {"deleted_at": utcnow()}])
def test_inactive_or_deleted_administrator_is_refused(
    client, admin, login_as, details, make_user, change
):
    make_user("hr", username="gone.user", **change)
    login_as(admin)
    response = client.post(
        "/integrations/lever/new", data=details | {"admin_username": "gone.user"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The user &#39;gone.user&#39; is" in html and "active HR Professional" in html


def test_unknown_administrator_is_refused(client, admin, login_as, details):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"admin_username": "nobody"})
    assert "No active HR Professional has the username" in response.get_data(as_text=True)


@pytest.mark.parametrize("deleted", [False, True])
def test_inactive_or_deleted_company_is_refused(
    client, db, admin, login_as, details, make_company, deleted
):
    old = make_company(code="OLD-CO", active=deleted)
    if deleted:
        old.deleted_at = utcnow()
        db.session.commit()
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"company_code": "OLD-CO"})
    html = response.get_data(as_text=True)
    state = "deleted" if deleted else "inactive"
    assert f"is {state}, so it cannot take new Employment Details" in html
    assert db.session.scalar(select(LeverIntegration)) is None


def test_company_can_be_typed_by_name(client, db, admin, login_as, details):
    login_as(admin)
    client.post("/integrations/lever/new", data=details | {"company_code": "cezanne uk ltd"})
    assert _only_integration(db).default_company.code == "CEZ-UK"


def test_edit_keeps_the_token_when_left_blank_and_shows_only_its_end(
    client, db, admin, login_as, integration, details
):
    stored = integration.signature_token_encrypted
    login_as(admin)
    page = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert f"•••• {integration.signature_token_last4}" in page
    assert crypto.decrypt(stored) not in page

    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": "", "hire_date_source": "offer"},
    )
    db.session.refresh(integration)
    assert integration.signature_token_encrypted == stored
    assert integration.hire_date_source == "offer"

    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": "new-token-0123456789-9999"},
    )
    db.session.refresh(integration)
    assert crypto.decrypt(integration.signature_token_encrypted) == "new-token-0123456789-9999"
    assert integration.signature_token_last4 == "9999"


def test_review_hires_option_is_saved_and_shown(client, db, admin, login_as, integration, details):
    login_as(admin)
    form = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert "Review hires before they are created" in form

    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": "", "review_hires": "y"},
    )
    db.session.refresh(integration)
    assert integration.review_hires is True

    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": ""},
    )
    db.session.refresh(integration)
    assert integration.review_hires is False


def test_details_page_shows_the_webhook_url_and_the_steps_in_lever(
    app, client, admin, login_as, integration
):
    login_as(admin)
    html = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert "http://localhost/cezannehr/api/v4/Lever/webhook/acme" in html
    assert "Settings › Integrations and API › Webhooks" in html and "Add Webhook" in html
    assert 'data-copy-target="webhook-url"' in html and "js/enhance.js" in html  # imports copy.js
    assert 'data-picker-url="/admin/search/users"' in html

    app.config["PUBLIC_BASE_URL"] = "https://hr.example.com"
    html = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert "https://hr.example.com/cezannehr/api/v4/Lever/webhook/acme" in html


def test_hr_professionals_see_a_summary_and_the_log_but_no_form(
    client, hr_user, login_as, integration
):
    login_as(hr_user)
    listing = client.get("/integrations/lever/").get_data(as_text=True)
    summary = client.get(f"/integrations/lever/{integration.id}").get_data(as_text=True)

    assert "Add New" not in listing
    assert "Only Administrators can change these details" in summary
    assert f"/integrations/lever/{integration.id}/log" in summary
    assert '<form method="post" class="card"' not in summary
    assert client.get(f"/integrations/lever/{integration.id}/details").status_code == 403


def test_administrators_are_taken_to_the_form(client, admin, login_as, integration):
    login_as(admin)
    response = client.get(f"/integrations/lever/{integration.id}")
    assert response.headers["Location"].endswith(f"/integrations/lever/{integration.id}/details")
