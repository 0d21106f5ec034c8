"""Job fixtures: an integration without a default company, and enqueues recorded, not run."""

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
