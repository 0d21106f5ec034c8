"""Every tab of an integration shows its open Errors and its last webhook: with many Log rows and
deliveries, PostgreSQL answers both from their own indexes, not from a scan of the table."""

import os

import pytest
from sqlalchemy import event, insert, text

from lever_cezanne.integration.activity import activity_of
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
ROWS = 2000


@pytest.fixture
def busy_integration(db, integration):
    now = utcnow()
    db.session.execute(
        insert(WebhookDelivery),
        [
            {
                "integration_id": integration.id,
                "token_hash": f"{n:064x}",
                "event": "candidateHired",
                "triggered_at": 1_700_000_000_000 + n,
                "payload": "{}",
                "status": "completed",
                "source": "sync" if n % 100 == 0 else "webhook",
                "received_at": now,
                "updated_at": now,
            }
            for n in range(ROWS)
        ],
    )
    db.session.execute(
        insert(LogEntry),
        [
            {
                "integration_id": integration.id,
                "level": "error" if n % 50 == 0 else "information",
                "message": f"row {n}",
                "created_at": now,
                # Most Errors are resolved by the hire's later success: few stay open.
                "resolved_at": now if n % 100 == 0 else None,
            }
            for n in range(ROWS)
        ],
    )
    db.session.commit()
    if ON_POSTGRES:
        db.session.execute(text("ANALYZE log_entries"))
        db.session.execute(text("ANALYZE webhook_deliveries"))
    return integration


def test_the_header_counts_open_errors_and_finds_the_last_webhook(db, busy_integration):
    activity = activity_of(busy_integration.id)
    assert activity.open_errors == ROWS // 100  # every other Error is resolved
    assert activity.last_webhook_at is not None


@pytest.mark.skipif(not ON_POSTGRES, reason="query plans are checked on PostgreSQL")
def test_postgres_answers_the_header_from_its_indexes(db, busy_integration):
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        activity_of(busy_integration.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = {}
    for statement, parameters in sent:
        rows = db.session.connection().exec_driver_sql(f"EXPLAIN {statement}", parameters)
        plans[statement] = "\n".join(row[0] for row in rows)
    [open_errors] = [plan for sql, plan in plans.items() if "FROM log_entries" in sql]
    assert "ix_log_entries_open_errors" in open_errors, open_errors
    [last_webhook] = [plan for sql, plan in plans.items() if "max(webhook_deliveries" in sql]
    assert "ix_webhook_deliveries_integration_source_received" in last_webhook, last_webhook
