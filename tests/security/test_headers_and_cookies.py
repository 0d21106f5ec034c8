"""Response headers on every page, the session cookie's flags, and what production adds."""

import re

import pytest
from cryptography.fernet import Fernet

from lever_cezanne import create_app
from lever_cezanne.extensions import db as sqlalchemy_db
from tests.security.conftest import app_routes, sample_url

PASSWORD = "correct-horse-battery"


def _check_headers(response, where: str, production: bool) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("default-src") == ["'self'"], (where, csp)
    assert "'unsafe-inline'" not in csp, (where, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    hsts = headers.get("Strict-Transport-Security")
    if production:
        assert hsts and "includeSubDomains" in hsts, (where, hsts)
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000, (where, hsts)
    else:
        assert hsts is None, (where, hsts)  # HSTS over plain http would pin a dev host


def test_every_page_answer_carries_the_security_headers(app, client, admin, login_as):
    login_as(admin)
    answers = [("login page", client.get("/auth/login"))]
    for rule, _ in app_routes(app, {"GET"}):
        answers.append((rule.rule, client.get(sample_url(rule))))
    answers += [
        ("404 page", client.get("/no-such-page")),
        ("405 page", client.get("/auth/logout")),
        ("webhook JSON", client.post("/cezannehr/api/v4/Lever/webhook/nobody", data=b"{}")),
        ("static file", client.get("/static/css/app.css")),
    ]
    for where, response in answers:
        _check_headers(response, where, production=False)
        response.close()
    print(f"\nHEADERS: {len(answers)} answers checked, statuses "
          f"{sorted({r.status_code for _, r in answers})}")  # fmt: skip


@pytest.fixture
def production_app(app, database_url, monkeypatch):
    """The app as `APP_ENV=production` builds it from the environment (same test database)."""
    for name in ("REDIS_URL", "TEST_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret-key-for-the-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://hr.example.com")
    monkeypatch.setenv("LEVER_ENVIRONMENT", "production")
    monkeypatch.setenv("LEVER_CLIENT_ID", "client")
    monkeypatch.setenv("LEVER_CLIENT_SECRET", "secret")
    monkeypatch.setenv("LEVER_SANDBOX_ENABLED", "1")  # asked for, yet never in production
    production = create_app()
    yield production
    # Its first request started the in-process periodic jobs (it is not a testing app): stop
    # them, so that no reconciler outlives the test.
    production.extensions["lever_jobs"].shutdown()
    with production.app_context():
        sqlalchemy_db.engine.dispose()


def test_production_adds_hsts_secure_cookies_and_no_simulator(production_app, admin):
    assert production_app.config["APP_ENV"] == "production" and not production_app.debug
    browser = production_app.test_client()
    page = browser.get("/auth/login", base_url="https://hr.example.com")
    _check_headers(page, "production login page", production=True)
    assert b'name="csrf_token"' in page.data  # CSRF is on
    refused = browser.post(
        "/auth/login",
        base_url="https://hr.example.com",
        data={"username": admin.username, "password": PASSWORD},
    )
    assert refused.status_code == 400  # no CSRF token
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))[1]
    signed_in = browser.post(
        "/auth/login",
        base_url="https://hr.example.com",
        headers={"Referer": "https://hr.example.com/auth/login"},
        data={
            "username": admin.username,
            "password": PASSWORD,
            "csrf_token": token[:200].split('"')[0],
        },
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session="), cookie  # Secure, this host only, path /
    assert "domain=" not in cookie.lower() and "path=/" in cookie.lower(), cookie
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "secure" in flags and "httponly" in flags, cookie
    assert flags["samesite"].strip().lower() == "samesite=lax", cookie
    _check_headers(signed_in, "production redirect", production=True)
    simulator = browser.get("/lever-sandbox/_admin/state", base_url="https://hr.example.com")
    assert simulator.status_code in (302, 404)  # not mounted: no unauthenticated admin JSON


def test_development_session_cookie_is_httponly_and_lax(app, admin):
    browser = app.test_client()
    response = browser.post("/auth/login", data={"username": admin.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in development: a Secure cookie would be dropped


def test_no_page_with_personal_data_may_be_cached(app, client, admin, login_as, make_integration):
    # Before: people, tasks, the Log tab and its CSV export could be kept by a browser or proxy.
    integration = make_integration(admin)
    login_as(admin)
    checked = []
    for rule, _ in app_routes(app, {"GET"}):
        if rule.endpoint == "static":
            continue
        url = sample_url(rule).replace("/lever/1/", f"/lever/{integration.id}/")
        response = client.get(url)
        response.get_data()
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
        checked.append(url)
    assert f"/integrations/lever/{integration.id}/log.csv" in checked
    static = client.get("/static/css/app.css")
    static.close()
    assert static.headers.get("Cache-Control") != "no-store"  # no personal data: cacheable
    print(f"\nNO-STORE: {len(checked)} pages")
