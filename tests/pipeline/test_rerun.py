"""Running a delivery twice is harmless: a job taken back after a lapsed lease adds nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.models import Employment, LogEntry, Person, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow

pytestmark = pytest.mark.committed


def _counts(db):
    return [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Employment, Task)
    ]


def test_a_completed_hire_run_again_after_its_lease_lapsed_creates_nothing_more(
    app, db, integration, add_candidate, send_hire, runner
):
    send_hire(add_candidate("Ingrid Solberg"))
    assert runner.wait_idle(15)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "completed" and _counts(db) == [1, 1, 1]
    informations = db.session.scalar(select(func.count()).select_from(LogEntry))
    # As if the first run had died before recording its end: processing, lease lapsed.
    db.session.execute(
        update(WebhookDelivery).values(
            status="processing", claimed_until=utcnow() - timedelta(seconds=1)
        )
    )
    db.session.commit()
    assert process_delivery(delivery.id) == "completed"
    db.session.expire_all()
    assert _counts(db) == [1, 1, 1]
    assert db.session.get(WebhookDelivery, delivery.id).attempts == 2
    # The second run says again what it found, and nothing else.
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) <= informations + 1


def test_a_second_job_for_a_delivery_held_by_a_live_lease_does_nothing(
    app, db, integration, add_candidate, send_hire, runner
):
    send_hire(add_candidate())
    assert runner.wait_idle(15)
    db.session.execute(
        update(WebhookDelivery).values(
            status="processing", claimed_until=utcnow() + timedelta(seconds=20)
        )
    )
    db.session.commit()
    delivery_id = db.session.scalars(select(WebhookDelivery.id)).one()
    assert process_delivery(delivery_id) is None  # another job holds it
    assert _counts(db) == [1, 1, 1]
