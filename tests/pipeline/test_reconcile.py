"""Nothing is lost: a delivery the queue never got is processed after the reconciler runs."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lever_cezanne.deliveries.reconciler import reconcile_deliveries
from lever_cezanne.models import Employment, Person, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.ports import free_port


def closed_port_url() -> str:
    """A Redis URL on a port nobody listens on."""
    return f"redis://127.0.0.1:{free_port()}/0"


def age_deliveries(db, minutes=3):
    db.session.execute(
        update(WebhookDelivery).values(updated_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


@pytest.mark.committed
def test_queue_down_at_receive_time_then_processed_after_reconcile(
    app, db, integration, add_candidate, send_hire, runner
):
    app.config["REDIS_URL"] = closed_port_url()
    response = send_hire(add_candidate())
    assert response.status_code == 200 and response.get_json() == {"status": "accepted"}
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "received"
    # Too early: the reconciler leaves fresh deliveries to the queue.
    app.config["REDIS_URL"] = None  # the queue is back (in-process here)
    assert reconcile_deliveries()["requeued"] == 0
    age_deliveries(db)
    assert reconcile_deliveries()["requeued"] == 1
    assert runner.wait_idle(15)
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).status == "completed"
    assert len(db.session.scalars(select(Person)).all()) == 1
    assert len(db.session.scalars(select(Employment)).all()) == 1
    assert len(db.session.scalars(select(Task)).all()) == 1


@pytest.mark.committed
def test_reconcile_command_prints_counts(app, db, integration, add_candidate, send_hire, runner):
    app.config["REDIS_URL"] = closed_port_url()
    send_hire(add_candidate())
    app.config["REDIS_URL"] = None
    age_deliveries(db)
    result = app.test_cli_runner().invoke(args=["lever", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "Requeued 1, still pending 0, given up 0" in result.output
    assert runner.wait_idle(15)
