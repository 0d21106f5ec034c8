"""Job fixtures: deliveries in any state, without Lever."""

from datetime import timedelta

import pytest

from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow


@pytest.fixture
def integration(make_integration, admin):
    return make_integration(admin)


@pytest.fixture
def make_delivery(db, integration):
    counter = iter(range(1, 10000))

    def make(status="received", attempts=0, age=timedelta(minutes=3), lease=None):
        """A delivery last touched `age` ago, whose lease or queue deadline ends in `lease`."""
        delivery = WebhookDelivery(
            integration_id=integration.id,
            token_hash=f"{next(counter):064d}",
            event="candidateHired",
            opportunity_id="opp-1",
            triggered_at=1700000000123,
            payload="{}",
            status=status,
            attempts=attempts,
            updated_at=utcnow() - age,
            claimed_until=None if lease is None else utcnow() + lease,
        )
        db.session.add(delivery)
        db.session.commit()
        return delivery

    return make


@pytest.fixture
def enqueued(monkeypatch):
    from lever_cezanne.deliveries import queue

    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append((d, attempt)))
    monkeypatch.setattr(queue, "delivery_job_waiting", lambda d, attempts: False)
    return calls
