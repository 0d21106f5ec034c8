"""Login throttling is shared by every web process (Redis), per account and per client IP."""

import os
import uuid

import pytest

from lever_cezanne import create_app
from lever_cezanne.extensions import db as sqlalchemy_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def two_web_processes(app, base_config):
    """Two app instances, as two gunicorn workers would be, counting failures in one Redis."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        print("skipping: REDIS_URL is not set (CI sets it); the shared throttle needs Redis")
        pytest.skip("REDIS_URL is not set")
    apps = [create_app(dict(base_config, RATELIMIT_STORAGE_URI=redis_url)) for _ in range(2)]
    yield [web.test_client() for web in apps]
    for web in apps:
        with web.app_context():
            sqlalchemy_db.engine.dispose()


def _login(browser, username, password, ip):
    return browser.post(
        "/auth/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _ip() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_ten_failures_across_processes_lock_the_account(two_web_processes, make_user):
    # Unique names and addresses: the shared Redis may hold other runs' counts.
    user = make_user("hr", username=f"throttle-{uuid.uuid4().hex[:8]}")
    first, second = two_web_processes
    for attempt in range(10):
        browser = first if attempt % 2 else second
        assert _login(browser, user.username, "wrong-password", _ip()).status_code == 200
    refused = _login(first, user.username, PASSWORD, _ip())
    print(f"\nTHROTTLE (account): 11th attempt {refused.status_code}, "
          f"Retry-After {refused.headers.get('Retry-After')} s")  # fmt: skip
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert b"Too many failed sign-in attempts" in refused.data


def test_ten_failures_from_one_address_lock_that_address(two_web_processes, make_user):
    user = make_user("hr", username=f"victim-{uuid.uuid4().hex[:8]}")
    first, second = two_web_processes
    attacker = _ip()
    for attempt in range(10):
        browser = first if attempt % 2 else second
        _login(browser, f"guess-{uuid.uuid4().hex[:8]}", "wrong-password", attacker)
    refused = _login(second, user.username, PASSWORD, attacker)
    print(f"\nTHROTTLE (address): 11th attempt {refused.status_code}, "
          f"Retry-After {refused.headers.get('Retry-After')} s")  # fmt: skip
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert _login(second, user.username, PASSWORD, _ip()).status_code == 302  # others still can
