"""Job fixtures: an integration without a default company, enqueues recorded, not run, and a
clean Redis for RQ workers."""

import os

import pytest
from redis import Redis


@pytest.fixture
def integration(make_integration, admin):
    return make_integration(admin)


@pytest.fixture
def enqueued(monkeypatch):
    from lever_cezanne.deliveries import queue

    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append((d, attempt)))
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: False)
    return calls


@pytest.fixture
def rq_redis():
    """The test Redis, emptied before and after (RQ workers run against it)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: this test runs RQ workers")
    connection = Redis.from_url(url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
