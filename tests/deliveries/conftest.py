"""Job fixtures: an integration without a default company, enqueues recorded, not run, and a
clean Redis for RQ workers."""

import pytest


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
def rq_redis(redis_app):
    """The app's Redis (redis_app's: emptied before and after, skipped without REDIS_URL), for
    RQ workers."""
    from lever_cezanne.redis_client import redis_connection

    return redis_connection()
