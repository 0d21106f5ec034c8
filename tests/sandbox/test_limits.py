"""Rate limiting (token bucket, no Retry-After), injected 500s/429s and added latency."""

import time

import pytest

from .helpers import make_config

URL = "/v1/archive_reasons"


@pytest.fixture
def sandbox_config():
    return make_config(RATE_LIMIT=10, RATE_BURST=20)


def _statuses(client, headers, n: int) -> list[int]:
    return [client.get(URL, headers=headers).status_code for _ in range(n)]


def test_burst_of_20_then_429_then_refill(sandbox_client, bearer, clock, store):
    assert _statuses(sandbox_client, bearer, 20) == [200] * 20
    limited = sandbox_client.get(URL, headers=bearer)
    assert limited.status_code == 429
    assert limited.json["code"] == "TooManyRequests"
    assert "Retry-After" not in limited.headers
    clock.advance(0.1)  # 10/s refills one request in 0.1 s
    assert _statuses(sandbox_client, bearer, 2) == [200, 429]
    clock.advance(5)  # a long pause refills only up to the burst
    assert _statuses(sandbox_client, bearer, 21) == [200] * 20 + [429]
    assert store.counters["rate_limited"] == 3
    assert store.counters["api_calls"] == 20 + 1 + 2 + 21


def test_lifting_the_limit(sandbox_client, bearer, clock, store):
    store.set_rate_limit(None)
    assert set(_statuses(sandbox_client, bearer, 40)) == {200}


def test_admin_settings_change_the_bucket(sandbox_client, bearer, clock):
    response = sandbox_client.post("/_admin/settings", json={"rate_limit": 1, "rate_burst": 2})
    assert response.json["settings"]["rate_burst"] == 2
    assert _statuses(sandbox_client, bearer, 3) == [200, 200, 429]


def test_injected_fault_shares_are_roughly_right(sandbox_client, store):
    store.set_rate_limit(None)
    store.set_faults(fault_500_rate=0.3, fault_429_rate=0.2)
    statuses = _statuses(sandbox_client, {}, 1000)  # unfaulted calls are 401: no token
    assert 250 <= statuses.count(500) <= 350
    assert 150 <= statuses.count(429) <= 250
    assert statuses.count(401) == 1000 - statuses.count(500) - statuses.count(429)
    assert store.counters["faults_500"] == statuses.count(500)
    faulted = sandbox_client.get(URL)
    assert faulted.json["code"] in {"InternalServerError", "TooManyRequests", "UnauthorizedError"}


def test_faults_from_config_and_admin(sandbox_client):
    client = sandbox_client
    client.post("/_admin/settings", json={"fault_500_rate": 1, "rate_limit": None})
    response = client.get(URL)
    assert response.status_code == 500
    assert response.json["code"] == "InternalServerError"
    client.post("/_admin/settings", json={"fault_500_rate": 0})
    assert client.get(URL).status_code == 401
    assert client.post("/_admin/settings", json={"latency_ms": "slow"}).status_code == 400


def test_latency_is_added_to_api_calls(sandbox_client, store):
    store.set_faults(latency_ms=400)
    started = time.monotonic()
    sandbox_client.get(URL)
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    sandbox_client.get("/_admin/state")  # only the API is slowed
    assert time.monotonic() - started < 0.4
