"""Test connection, Disconnect and Delete (Pause and Resume: test_pause.py)."""

from datetime import timedelta

from flask import g
from sqlalchemy import select

from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_NEEDS_REAUTHORISATION, AUTH_NOT_AUTHORISED


def _post_and_follow(client, url: str) -> str:
    response = client.post(url)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_test_connection_ok(client, admin, login_as, authorised, lever_server):
    login_as(admin)
    page = _post_and_follow(client, f"/integrations/lever/{authorised.id}/test")
    assert "Connection OK" in page
    assert lever_server.store.counters["api_calls"] == 1


def test_test_connection_after_revocation_says_to_reauthorise(
    client, db, admin, login_as, authorised, lever_server
):
    lever_server.store.revoke()
    authorised.access_token_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(admin)
    page = _post_and_follow(client, f"/integrations/lever/{authorised.id}/test")

    assert "Connection failed. Lever access was revoked or has expired" in page
    assert "Needs re-authorisation" in page
    db.session.refresh(authorised)
    assert authorised.auth_status == AUTH_NEEDS_REAUTHORISATION


def test_test_connection_when_lever_is_down(client, admin, login_as, authorised, lever_server):
    lever_server.store.set_faults(fault_500_rate=1.0)
    login_as(admin)
    page = _post_and_follow(client, f"/integrations/lever/{authorised.id}/test")
    assert "Connection failed: Lever is having problems on its side." in page
    assert "500" not in page


def test_disconnect_asks_then_forgets_the_tokens(client, db, admin, login_as, authorised):
    login_as(admin)
    ask = client.get(f"/integrations/lever/{authorised.id}/disconnect").get_data(as_text=True)
    assert "Disconnect 'acme' from Lever?" in ask

    page = _post_and_follow(client, f"/integrations/lever/{authorised.id}/disconnect")
    db.session.refresh(authorised)
    assert "Disconnected from Lever" in page
    assert authorised.auth_status == AUTH_NOT_AUTHORISED
    assert authorised.access_token_encrypted is None and authorised.refresh_token_encrypted is None


def test_delete_asks_then_hides_the_integration(client, db, admin, login_as, integration):
    login_as(admin)
    ask = client.get(f"/integrations/lever/{integration.id}/delete").get_data(as_text=True)
    assert "Delete the Lever integration 'acme'?" in ask

    page = _post_and_follow(client, f"/integrations/lever/{integration.id}/delete")
    assert "deleted" in page and ">acme</a>" not in page
    row = db.session.scalar(select(LeverIntegration))
    assert row.deleted_at is not None
    assert client.get(f"/integrations/lever/{integration.id}/details").status_code == 404
    assert client.post(f"/integrations/lever/{integration.id}/test").status_code == 404


def test_action_buttons_carry_a_csrf_token(
    app, client, admin, login_as, authorised, csrf_token_from
):
    login_as(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    g.pop("csrf_token", None)  # tests share one app context: forget the token made before
    html = client.get(f"/integrations/lever/{authorised.id}/details").get_data(as_text=True)
    for action in ("authorise", "test"):
        assert f'action="/integrations/lever/{authorised.id}/{action}"' in html
    # Pause asks first: the button opens a page that names the integration; its form posts.
    assert f'href="/integrations/lever/{authorised.id}/pause"' in html
    confirm = client.get(f"/integrations/lever/{authorised.id}/pause").get_data(as_text=True)
    assert f"Pause the Lever integration '{authorised.subdomain}'?" in confirm
    assert "no hire is processed" in confirm

    assert client.post(f"/integrations/lever/{authorised.id}/pause").status_code == 400
    response = client.post(
        f"/integrations/lever/{authorised.id}/pause", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 302
