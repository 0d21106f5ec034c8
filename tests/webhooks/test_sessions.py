"""Lever's webhooks get no cookie session; every page keeps Flask's."""

from flask import request

from lever_cezanne.webhooks.sessions import CookieSessionsExceptApi


def test_a_webhook_reads_and_writes_no_session(
    app, db, integration, enqueued, signed_body, post_webhook, hr_user, login_as
):
    login_as(hr_user)  # the client now sends a session cookie
    response = post_webhook(signed_body())
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")  # the session was never looked at


def test_pages_still_have_their_session(app, client, hr_user, login_as):
    login_as(hr_user)
    response = client.get("/")
    assert "Cookie" in response.headers.get("Vary", "")
    with client.session_transaction() as saved:
        assert saved.get("_user_id")


def test_an_api_request_never_reads_nor_replaces_the_browser_s_cookie(app):
    interface = app.session_interface
    assert isinstance(interface, CookieSessionsExceptApi)
    with app.test_request_context(
        "/cezannehr/api/v4/Lever/webhook/x", method="POST", headers={"Cookie": "session=forged"}
    ):
        opened = interface.open_session(app, request)
        assert opened == {}  # the cookie was not read
        opened["written"] = True  # an error page, say
        response = app.response_class()
        interface.save_session(app, opened, response)
        assert "Set-Cookie" not in response.headers


def test_a_get_on_the_webhook_url_is_the_405_page(client):
    response = client.get("/cezannehr/api/v4/Lever/webhook/anything")
    assert response.status_code == 405
    assert "Set-Cookie" not in response.headers
