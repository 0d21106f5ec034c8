"""A real RQ worker process (`flask worker`) against Redis processes deliveries end to end."""

import re
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, update

from lever_cezanne.deliveries.reconciler import reconcile_deliveries
from lever_cezanne.models import Employment, Person, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.pipeline.helpers import REDIS_URL, run_worker, settle
from tests.ports import free_port

pytestmark = pytest.mark.committed


def test_worker_process_turns_a_hire_into_records(
    app, db, database_url, integration, lever_server, add_candidate, send_hire, redis_queue
):
    send_hire(add_candidate("Helena Manning"))
    # The receiver only stores: the worker's dispatcher queues it.
    assert redis_queue.job_ids == []
    assert db.session.scalars(select(WebhookDelivery)).one().status == "received"
    settle(db)
    result = run_worker(app, lever_server, database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "completed" and delivery.attempts == 1
    [person] = db.session.scalars(select(Person)).all()
    assert person.full_name == "Helena Manning"
    assert len(db.session.scalars(select(Employment)).all()) == 1
    assert len(db.session.scalars(select(Task)).all()) == 1
    # Job arguments (and so any secret) stay out of the worker's log.
    # (the id, not 1: rolled-back tests before this one spend sequence values)
    assert f"delivery-{delivery.id}-1" in result.stdout + result.stderr
    assert f"run_delivery({delivery.id})" not in result.stdout + result.stderr
    _assert_delivery_lines_carry_the_id(result.stdout + result.stderr)


def _assert_delivery_lines_carry_the_id(output: str) -> None:
    """Every line of ours about a delivery carries `delivery_id=<id>`, so grep follows a hire."""
    ours = [line for line in output.splitlines() if " lever_cezanne." in line]
    about = [line for line in ours if re.search(r"\bdelivery \d+", line)]
    assert about, output
    for line in about:
        [named] = set(re.findall(r"\bdelivery (\d+)", line))
        assert f" delivery_id={named}:" in line, line


def test_transient_failure_is_scheduled_for_retry_and_not_requeued_twice(
    app, db, database_url, integration, lever_server, add_candidate, send_hire, redis_queue
):
    send_hire(add_candidate())
    lever_server.store.set_faults(fault_500_rate=1.0)
    settle(db)
    result = run_worker(app, lever_server, database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "queued" and "having problems on its side" in delivery.last_error
    registry = ScheduledJobRegistry(queue=redis_queue)
    assert registry.get_job_ids() == ["delivery-1-1"]
    job = redis_queue.fetch_job("delivery-1-1")
    assert job.retries_left == 4
    # The retry is one log line, naming the delivery and Lever's status; no traceback from RQ.
    # (Before: the client's "Lever answered HTTP 500" and the job's line, two per retry.)
    output = result.stdout + result.stderr
    [line] = [line for line in output.splitlines() if " WARNING " in line or " ERROR " in line]
    assert " delivery_id=1: delivery 1: transient failure (HTTP 500), will retry: " in line
    assert "Traceback" not in output and "exception raised" not in output
    _assert_delivery_lines_carry_the_id(output)
    # Past its deadline, the reconciler sees the scheduled retry and does not enqueue a duplicate.
    db.session.execute(
        update(WebhookDelivery).values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert reconcile_deliveries()["pending"] == 1


def test_queue_down_at_receive_time_then_worker_processes_after_reconcile(
    app, db, database_url, integration, lever_server, add_candidate, send_hire, redis_queue
):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    app.config["REDIS_URL"] = closed
    down = app.extensions.pop("lever_redis", None)
    assert send_hire(add_candidate()).status_code == 200
    assert db.session.scalars(select(WebhookDelivery)).one().status == "received"
    if down is not None:
        down.close()
    app.config["REDIS_URL"] = REDIS_URL  # Redis is back
    db.session.execute(update(WebhookDelivery).values(updated_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    assert reconcile_deliveries()["requeued"] == 1
    assert redis_queue.job_ids == ["delivery-1-1"]
    settle(db)
    result = run_worker(app, lever_server, database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.session.scalars(select(WebhookDelivery)).one().status == "completed"
    assert len(db.session.scalars(select(Task)).all()) == 1
