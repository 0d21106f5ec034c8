"""Authorising with Lever (the simulator over real HTTP): success, deny, bad state, bad secret."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, text
from werkzeug.middleware.proxy_fix import ProxyFix

from lever_cezanne import crypto
from lever_cezanne.models import LogEntry
from lever_cezanne.models.integration import AUTH_AUTHORISED, AUTH_NOT_AUTHORISED
from tests.lever.lever_helpers import CALLBACK, answer_consent


def _start(client, integration) -> str:
    """Click OK on the confirmation page; return the Lever URL the browser is sent to."""
    response = client.post(f"/integrations/lever/{integration.id}/authorise")
    assert response.status_code == 302
    return response.headers["Location"]


def _callback(client, query: dict):
    return client.get("/integrations/lever/oauth/callback", query_string=query)


def _flash_after(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_authorize_url_asks_lever_for_the_right_things(
    client, admin, login_as, lever_server, integration
):
    login_as(admin)
    url = _start(client, integration)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    assert url.startswith(f"{lever_server.base_url}/authorize?")
    assert query["client_id"] == "lever-cezanne-local"
    assert query["redirect_uri"] == CALLBACK
    assert query["response_type"] == "code"
    assert query["audience"] == f"{lever_server.base_url}/v1/"
    assert query["prompt"] == "consent"
    assert set(query["scope"].split()) >= {
        "offline_access",
        "opportunities:read:admin",
        "offers:read:admin",
        "archive_reasons:read:admin",
        "users:read:admin",
    }
    assert len(query["state"]) >= 32


def test_accepting_in_lever_authorises_and_logs_who_did_it(
    client, db, admin, login_as, lever_server, integration
):
    login_as(admin)
    reply = answer_consent(_start(client, integration), "accept")
    response = _callback(client, reply)
    page = _flash_after(client, response)

    assert response.headers["Location"].endswith(f"/integrations/lever/{integration.id}/details")
    assert "Lever is authorised" in page
    # No webhook has arrived yet: say what is still to do in Lever, promise nothing.
    assert "Still to do in Lever" in page and "will now reach" not in page
    assert "no webhook has arrived yet" in page
    # The first authorisation offers to import the hires Lever made before it.
    assert "use Import hires made since under Catch-up sync below" in page
    assert 'id="since"' in page and "Sync now" in page
    db.session.refresh(integration)
    assert integration.auth_status == AUTH_AUTHORISED
    assert integration.authorised_by.username == "admin" and integration.authorised_at
    assert integration.access_token_expires_at is not None
    log = db.session.scalars(select(LogEntry)).one()
    assert (log.level, log.message) == ("information", "Lever authorised by Dana Admin")

    # Encryption at rest: the raw row never holds the tokens' text.
    access = crypto.decrypt(integration.access_token_encrypted)
    refresh = crypto.decrypt(integration.refresh_token_encrypted)
    row = db.session.execute(text("SELECT * FROM lever_integrations")).mappings().one()
    raw = " ".join(str(value) for value in row.values())
    assert access not in raw and refresh not in raw
    assert access not in page and refresh not in page

    # The state is single use: replaying Lever's reply changes nothing.
    replay = _flash_after(client, _callback(client, reply))
    assert "was not expected" in replay


def test_denying_in_lever_leaves_it_not_authorised(
    client, db, admin, login_as, lever_server, integration
):
    login_as(admin)
    reply = answer_consent(_start(client, integration), "deny")
    assert reply["error"] == "access_denied"
    page = _flash_after(client, _callback(client, reply))

    assert "the permissions were denied in Lever" in page and "Click Authorise to try again" in page
    db.session.refresh(integration)
    assert integration.auth_status == AUTH_NOT_AUTHORISED
    assert integration.access_token_encrypted is None


def test_a_state_that_does_not_match_is_ignored(
    client, db, admin, login_as, lever_server, integration
):
    login_as(admin)
    reply = answer_consent(_start(client, integration), "accept")
    page = _flash_after(client, _callback(client, reply | {"state": "forged"}))

    assert "did not match the authorisation started here" in page
    db.session.refresh(integration)
    assert integration.auth_status == AUTH_NOT_AUTHORISED
    assert lever_server.store.counters["token_calls_authorization_code"] == 0


def test_a_callback_nobody_started_is_refused(client, admin, login_as, lever_server, integration):
    login_as(admin)
    response = _callback(client, {"code": "abc", "state": "xyz"})
    assert response.headers["Location"].endswith("/integrations/lever/")
    assert "was not expected" in _flash_after(client, response)


def test_a_failed_token_exchange_says_what_to_do(
    app, client, db, admin, login_as, lever_server, integration
):
    login_as(admin)
    reply = answer_consent(_start(client, integration), "accept")
    app.config["LEVER_CLIENT_SECRET"] = "wrong-secret"
    page = _flash_after(client, _callback(client, reply))

    assert "did not accept Cezanne HR&#39;s app credentials" in page
    assert "wrong-secret" not in page
    db.session.refresh(integration)
    assert integration.auth_status == AUTH_NOT_AUTHORISED


def test_confirmation_post_needs_csrf(app, client, admin, login_as, integration):
    login_as(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/integrations/lever/{integration.id}/authorise")
    assert response.status_code == 400


def test_redirect_uri_comes_from_public_base_url_not_forwarded_headers(
    app, client, admin, login_as, lever_server, integration
):
    # Before: url_for(_external=True) behind ProxyFix took the host from X-Forwarded-Host. Even
    # behind a proxy layer that trusts that header, both URLs now come from PUBLIC_BASE_URL.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)
    app.config["PUBLIC_BASE_URL"] = "https://hr.example.com"
    login_as(admin)
    response = client.post(
        f"/integrations/lever/{integration.id}/authorise",
        headers={"X-Forwarded-Host": "evil.example"},
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}
    assert query["redirect_uri"] == "https://hr.example.com/integrations/lever/oauth/callback"
    details = client.get(
        f"/integrations/lever/{integration.id}/details",
        headers={"X-Forwarded-Host": "evil.example"},
    )
    assert b"https://hr.example.com/cezannehr/api/v4/Lever/webhook/acme" in details.data
    assert b"evil.example" not in details.data
