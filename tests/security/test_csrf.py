"""CSRF: every state-changing route refuses a request without a valid token (a url_map sweep)."""

import re

import pytest
from flask import g

from tests.security.conftest import STATE_CHANGING, app_routes, sample_url

CSRF_REFUSAL = b"This form has expired or was not sent from this site"


def test_every_state_changing_route_refuses_a_request_without_a_token(app, client, admin, login_as):
    login_as(admin)  # signed in as an Administrator: the guards would let the request through
    app.config["WTF_CSRF_ENABLED"] = True
    checked = []
    for rule, method in app_routes(app, STATE_CHANGING):
        response = client.open(sample_url(rule), method=method, data={"confirm": "yes"})
        assert response.status_code == 400, f"{method} {rule.rule}: {response.status_code}"
        assert CSRF_REFUSAL in response.data, f"{method} {rule.rule} did not check CSRF"
        checked.append(f"{method} {rule.rule}")
    print(f"\nCSRF SWEEP: {len(checked)} state-changing routes refused without a token")
    assert len(checked) >= 20, checked


def _signed_in_client(app, username: str):
    """A browser that signed in through the login form, CSRF token and all."""
    browser = app.test_client()
    token = _token(browser.get("/auth/login").get_data(as_text=True))
    data = {"username": username, "password": "correct-horse-battery", "csrf_token": token}
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


@pytest.mark.own_app
def test_a_token_works_only_in_the_session_it_was_issued_to(app, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    # Test requests share the test's app context; Flask-WTF caches the token in `g`, so forget
    # it after each request as a real server (one app context per request) would.
    app.teardown_request(lambda exc: g.pop("csrf_token", None))
    intruder = app.test_client()
    foreign = _token(intruder.get("/auth/login").get_data(as_text=True))
    victim = _signed_in_client(app, admin.username)

    forged = victim.post("/auth/logout", data={"csrf_token": foreign})
    assert forged.status_code == 400 and CSRF_REFUSAL in forged.data
    assert victim.get("/people").status_code == 200  # still signed in
    own = _token(victim.get("/people").get_data(as_text=True))
    assert victim.post("/auth/logout", data={"csrf_token": own}).status_code == 302

    by_header = _signed_in_client(app, admin.username)
    own = _token(by_header.get("/people").get_data(as_text=True))
    assert by_header.post("/auth/logout", headers={"X-CSRFToken": own}).status_code == 302


def test_the_webhook_receiver_is_the_only_exempt_route(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/cezannehr/api/v4/Lever/webhook/nobody", data=b"{}")
    assert response.status_code == 404 and response.is_json


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)
