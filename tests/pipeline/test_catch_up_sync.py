"""The catch-up sync against the Lever simulator: lost webhooks found once, never twice."""

import contextlib
import json
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import event, func, select

from lever_cezanne import deliveries
from lever_cezanne.crypto import encrypt
from lever_cezanne.deliveries import sync
from lever_cezanne.extensions import db as _db
from lever_cezanne.integration import pause
from lever_cezanne.models import Employment, LogEntry, Person, SyncRun, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind
from tests.pipeline.helpers import lost_hires, sync_now

FOUND = "found by the catch-up sync; Lever's webhook did not arrive"


def _counts(db):
    db.session.expire_all()
    return [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Person, Employment, Task)
    ]


def _found_rows(db) -> list[str]:
    return db.session.scalars(
        select(LogEntry.message).where(LogEntry.message.contains(FOUND))
    ).all()


@pytest.mark.committed
def test_twenty_five_hires_without_webhook_all_appear_once(db, integration, lever_server, runner):
    ids = lost_hires(lever_server, 25)
    run = sync_now(integration)
    assert (run.status, run.total, run.seen, run.stored, run.skipped) == (
        "succeeded",
        25,
        25,
        25,
        0,
    )
    assert runner.wait_idle(60)
    assert _counts(db) == [25, 25, 25]
    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert {d.source for d in deliveries} == {"sync"}
    assert {d.status for d in deliveries} == {"completed"}
    assert sorted(d.opportunity_id for d in deliveries) == sorted(ids)
    rows = _found_rows(db)
    assert len(rows) == 25 and "Lost Hire 00 (opportunity" in min(rows)
    again = sync_now(integration)  # the next sync finds the same 25: all already stored
    assert (again.stored, again.skipped) == (0, 25)
    assert runner.wait_idle(20)
    assert _counts(db) == [25, 25, 25] and len(_found_rows(db)) == 25


@pytest.mark.committed
def test_hires_whose_every_webhook_attempt_failed_are_found(
    db, integration, lever_sends_webhooks, add_candidate, runner
):
    # A wrong signature token here: our receiver refuses every attempt, and Lever gives up.
    integration.signature_token_encrypted = encrypt("not-the-token-lever-signs-with-0123456789abc")
    db.session.commit()
    for number in range(25):
        add_candidate(f"Refused Hire {number}")
    statuses = {d["status"] for d in lever_sends_webhooks.delivery_log()}
    assert statuses == {"failed"}, statuses
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    run = sync_now(integration)
    assert (run.stored, run.skipped) == (25, 0)
    assert runner.wait_idle(60)
    assert _counts(db) == [25, 25, 25]


@pytest.mark.committed
def test_hires_whose_webhook_arrived_are_not_stored_again(
    db, integration, lever_sends_webhooks, add_candidate, runner
):
    for number in range(4):
        add_candidate(f"Webhook Hire {number}")
    assert runner.wait_idle(30)
    assert _counts(db) == [4, 4, 4]
    run = sync_now(integration)
    assert (run.seen, run.stored, run.skipped) == (4, 0, 4)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 4
    assert _found_rows(db) == []


@pytest.mark.committed
def test_a_sync_and_webhooks_at_the_same_moment_give_one_of_each(
    app, db, integration, lever_server, live_app, hired_body, runner
):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        print("skipping: SQLite has no concurrent writers; set TEST_DATABASE_URL for PostgreSQL")
        pytest.skip("the sync/webhook race is tested on PostgreSQL (set TEST_DATABASE_URL)")
    ids = lost_hires(lever_server, 10)
    bodies = [json.dumps(hired_body(opportunity_id)) for opportunity_id in ids]
    run = sync.create_run(integration, SyncKind.MANUAL, utcnow() - timedelta(hours=1))
    _db.session.commit()
    run_id = run.id
    _db.session.remove()
    barrier, errors = threading.Barrier(len(ids) + 1), []

    def post(body):
        try:
            barrier.wait(10)
            requests.post(
                live_app.webhook_url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            ).raise_for_status()
        except Exception as exc:
            errors.append(exc)

    def run_sync():
        with app.app_context():
            try:
                barrier.wait(10)
                sync.run_sync(run_id)
            except Exception as exc:
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    threads.append(threading.Thread(target=run_sync))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert runner.wait_idle(60)
    assert _counts(db) == [10, 10, 10]
    people = db.session.scalars(select(Person.lever_opportunity_id)).all()
    assert sorted(people) == sorted(ids)
    statuses = db.session.scalars(select(WebhookDelivery.status)).all()
    assert set(statuses) == {"completed"}
    # "the webhook did not arrive" is only said of a hire whose webhook had not come when the
    # sync's delivery did the work.
    for row in db.session.scalars(select(LogEntry).where(LogEntry.message.contains(FOUND))):
        arrived = db.session.scalar(
            select(func.min(WebhookDelivery.received_at)).where(
                WebhookDelivery.opportunity_id == row.opportunity_id,
                WebhookDelivery.source == "webhook",
            )
        )
        assert arrived is None or arrived > row.created_at, row.message


@pytest.mark.committed
def test_a_webhook_arriving_while_the_synced_hire_waits_gets_no_found_by_sync_row(
    app, db, integration, lever_server, send_hire, runner
):
    [opportunity_id] = lost_hires(lever_server, 1)
    integration.paused_at = utcnow()  # the synced hire waits (held) until Resume
    db.session.commit()
    run = sync_now(integration)
    assert run.stored == 1 and _found_rows(db) == []  # not said when it is only stored
    assert send_hire(opportunity_id).status_code == 200  # Lever's webhook came after all
    ids, approved = pause.resume(integration)
    db.session.commit()
    assert len(ids) == 2 and approved == []
    for delivery_id in ids:
        deliveries.start_soon(app, delivery_id)
    assert runner.wait_idle(30)
    assert _counts(db) == [1, 1, 1]
    assert _found_rows(db) == []
    # Without a webhook, the row comes when the sync's delivery has made the person.
    [second] = lost_hires(lever_server, 1)
    assert sync_now(integration).stored == 1
    assert runner.wait_idle(30)
    [row] = db.session.scalars(select(LogEntry).where(LogEntry.message.contains(FOUND))).all()
    person = db.session.scalar(select(Person).where(Person.lever_opportunity_id == second))
    assert row.person_id == person.id and row.opportunity_id == second
    assert row.message == f"Lost Hire 00 (opportunity {second}): {FOUND}."


def test_revoked_access_fails_the_sync_with_one_reauthorise_error(db, integration, lever_server):
    lost_hires(lever_server, 2)
    lever_server.store.revoke()
    run = sync_now(integration)
    assert run.status == "failed" and "re-authorise" in run.message
    errors = db.session.scalars(select(LogEntry).where(LogEntry.level == "error")).all()
    assert len(errors) == 1
    assert "catch-up sync failed" in errors[0].message and "re-authorise" in errors[0].message
    assert errors[0].cause == "authorisation"
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


@pytest.mark.committed
def test_lever_5xx_is_retried_then_succeeds(db, integration, lever_server, runner):
    lost_hires(lever_server, 3)
    lever_server.store.set_faults(fault_500_rate=1.0)
    run = sync.create_run(integration, SyncKind.PERIODIC, utcnow() - timedelta(hours=1))
    db.session.commit()
    with pytest.raises(sync.RetryLater, match="problems on its side"):
        sync.run_sync(run.id, final_attempt=False)
    assert db.session.get(SyncRun, run.id).status == "running"
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 0
    lever_server.store.set_faults(fault_500_rate=0)
    assert sync.run_sync(run.id, final_attempt=False).stored == 3
    assert runner.wait_idle(30)


def test_lever_429_after_the_last_attempt_writes_one_error(db, integration, lever_server):
    lever_server.store.set_faults(fault_429_rate=1.0)
    run = sync_now(integration, final_attempt=True)
    assert run.status == "failed"
    [error] = db.session.scalars(select(LogEntry)).all()
    assert error.level == "error" and "slow down" in error.message
    assert "next sync tries again" in error.message


def test_a_window_before_the_hires_finds_nothing(db, integration, lever_server):
    lost_hires(lever_server, 2)
    until = utcnow() - timedelta(hours=1)
    run = sync.create_run(integration, SyncKind.MANUAL, until - timedelta(days=1), until=until)
    db.session.commit()
    assert sync.run_sync(run.id).seen == 0


@pytest.mark.committed
def test_backfill_writes_one_information_row(db, integration, lever_server, runner):
    lost_hires(lever_server, 3)
    today = utcnow().date()
    run = sync_now(integration, SyncKind.BACKFILL, since=sync.start_of(today - timedelta(days=30)))
    assert runner.wait_idle(30)
    second = sync_now(
        integration, SyncKind.BACKFILL, since=sync.start_of(today - timedelta(days=30))
    )
    assert run.stored == 3 and second.skipped == 3
    day = f"{today - timedelta(days=30):%d %B %Y}".lstrip("0")
    rows = db.session.scalars(
        select(LogEntry.message)
        .where(LogEntry.message.startswith("Imported"))
        .order_by(LogEntry.id)
    )
    assert rows.all() == [
        f"Imported 3 hires made since {day}; 0 were already in Cezanne HR",
        f"Imported 0 hires made since {day}; 3 were already in Cezanne HR",
    ]


def test_the_same_failure_again_writes_no_second_row(db, integration, lever_server):
    lever_server.store.set_faults(fault_500_rate=1.0)
    assert sync_now(integration).status == "failed"
    assert sync_now(integration).status == "failed"  # the next periodic sync, still failing
    assert len(db.session.scalars(select(LogEntry)).all()) == 1
    lever_server.store.set_faults(fault_500_rate=0)
    assert sync_now(integration).status == "succeeded"
    lever_server.store.set_faults(fault_500_rate=1.0)
    assert sync_now(integration).status == "failed"  # failing again after a success: a new row
    assert len(db.session.scalars(select(LogEntry)).all()) == 2


def test_already_stored_asks_once_for_a_batch_and_tells_a_rehire_apart(
    db, integration, make_delivery
):
    """A delivery within SAME_HIRE_MS of the archive time is that hire; an older one (the same
    opportunity hired before) is not."""
    make_delivery("opp-old")  # triggered at 1700000000123
    make_delivery("opp-now")
    make_delivery("opp-now")
    hires = [
        {"id": "opp-now", "archived_at": 1700000000123 + sync.SAME_HIRE_MS},
        {"id": "opp-old", "archived_at": 1700000000123 + sync.SAME_HIRE_MS + 1},
        {"id": "opp-new", "archived_at": 1700000000123},
    ]
    integration_id, statements = integration.id, []
    with _count_statements(statements):
        found = sync.already_stored(integration_id, hires)
    assert found == {"opp-now"} and len(statements) == 1


@contextlib.contextmanager
def _count_statements(into: list):
    engine = _db.engine

    def seen(conn, cursor, statement, *args):
        into.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", seen)
