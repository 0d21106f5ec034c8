"""The write-back option (form and CLI), the scopes it asks for, and the re-authorise notice."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, text

from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import AUTH_AUTHORISED
from tests.integration.test_commands import _create

BASE = {
    "offline_access",
    "opportunities:read:admin",
    "offers:read:admin",
    "archive_reasons:read:admin",
    "users:read:admin",
    "resumes:read:admin",
}
NOTICE = "Re-authorise to allow documents and notes"


def _requested(client, integration) -> set[str]:
    response = client.post(f"/integrations/lever/{integration.id}/authorise")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return set(query["scope"][0].split())


def test_the_option_is_off_by_default_and_saved_from_the_form(
    client, db, admin, login_as, integration, details
):
    login_as(admin)
    assert integration.write_back_notes is False
    form = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert "Tell Lever when the hire is in Cezanne HR" in form
    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": "", "write_back_notes": "y"},
    )
    db.session.refresh(integration)
    assert integration.write_back_notes is True
    client.post(
        f"/integrations/lever/{integration.id}/details",
        data=details | {"subdomain": "acme", "signature_token": ""},
    )
    db.session.refresh(integration)
    assert integration.write_back_notes is False


def test_cli_flag(app, db, hr_user, company):
    runner = app.test_cli_runner()
    assert _create(runner).exit_code == 0
    assert db.session.scalar(select(LeverIntegration)).write_back_notes is False
    db.session.execute(text("DELETE FROM lever_integrations"))
    db.session.commit()
    created = _create(runner, "--write-back-notes")
    assert created.exit_code == 0, created.output
    db.session.expire_all()
    assert db.session.scalar(select(LeverIntegration)).write_back_notes is True


def test_only_the_scopes_the_options_need_are_requested(
    client, db, admin, login_as, lever_server, integration
):
    login_as(admin)
    assert _requested(client, integration) == BASE
    integration.write_back_notes = True
    db.session.commit()
    assert _requested(client, integration) == BASE | {"notes:write:admin"}


def _authorised_with(db, integration, granted):
    integration.auth_status = AUTH_AUTHORISED
    integration.access_token_encrypted = "x"
    integration.granted_scopes = granted
    db.session.commit()


def test_fewer_scopes_say_what_to_reauthorise_for(client, db, admin, login_as, integration):
    login_as(admin)
    earlier = " ".join(sorted(BASE - {"resumes:read:admin"}))
    _authorised_with(db, integration, earlier)
    page = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert NOTICE in page and "resumes:read:admin" in page
    assert f'href="/integrations/lever/{integration.id}/authorise"' in page
    confirm = client.get(f"/integrations/lever/{integration.id}/authorise").get_data(as_text=True)
    assert "also asked to allow <strong>resumes:read:admin</strong>" in confirm
    integration.write_back_notes = True
    db.session.commit()
    assert lever_scopes.missing(integration) == ["resumes:read:admin", "notes:write:admin"]
    _authorised_with(db, integration, " ".join(sorted(BASE | {"notes:write:admin"})))
    assert lever_scopes.missing(integration) == []
    page = client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)
    assert NOTICE not in page


def test_a_write_scope_includes_its_read_scope(db, integration):
    _authorised_with(
        db,
        integration,
        "offline_access opportunities:write:admin "
        + " ".join(sorted(BASE - {"opportunities:read:admin"})),
    )
    assert lever_scopes.missing(integration) == []
