"""The receiver's own connection per process on PostgreSQL: one round trip a webhook, no pre-ping,
replaced when it breaks, closed with the engine's pool."""

import hashlib
import json
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from psycopg import pq
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from lever_cezanne.deliveries import signed
from lever_cezanne.models import WebhookDelivery

pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="the thread's own connection is PostgreSQL's",
    ),
]
ACCEPTED = {"status": "accepted"}


@pytest.fixture(autouse=True)
def _no_queue(app):
    # With Redis the receiver only stores (the insert's NOTIFY wakes the dispatcher): a Redis
    # nobody listens on proves it is never called.
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"


def _count(db) -> int:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(WebhookDelivery))


def _sent(connection, tmp_path, action) -> list[str]:
    """The protocol messages a psycopg connection sent to the server while action() ran."""
    path = tmp_path / "wire.trace"
    with path.open("w") as trace:
        connection.pgconn.trace(trace.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            action()
        finally:
            connection.pgconn.untrace()
    lines = path.read_text().splitlines()
    return [line.split("\t")[2].strip() for line in lines if line.startswith("F\t")]


def test_a_webhook_is_one_round_trip_of_the_prepared_insert(
    db, integration, signed_body, post_webhook, tmp_path
):
    for _ in range(8):  # the key is read, then the statement is prepared on the connection
        assert post_webhook(signed_body()).get_json() == ACCEPTED
    connection = signed._groups.of(db.engine).connection.connection

    def one():
        assert post_webhook(signed_body()).get_json() == ACCEPTED

    # Bind the prepared INSERT, run it, one Sync: no pre-ping, no BEGIN or COMMIT of its own.
    assert _sent(connection, tmp_path, one) == ["Bind", "Describe", "Execute", "Sync"]
    assert _count(db) == 9


def _last_delivery(db) -> WebhookDelivery:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).first()


def test_the_stored_row_holds_the_values_as_sent(db, integration, signed_body, post_webhook):
    # The statement's values go to libpq as text: each must arrive as the column's own value.
    assert post_webhook(signed_body()).get_json() == ACCEPTED  # the key is read
    body = signed_body(data={"opportunityId": "opp-1", "candidateId": "é" * 150})
    before = datetime.now(UTC)
    assert post_webhook(body).get_json() == ACCEPTED
    row = _last_delivery(db)
    assert (row.integration_id, row.event, row.source, row.status, row.attempts) == (
        integration.id, "candidateHired", "webhook", "received", 0,
    )  # fmt: skip
    assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert row.signature_hash == hashlib.sha256(body["signature"].encode()).hexdigest()
    assert (row.opportunity_id, row.contact_id) == ("opp-1", None)
    assert row.triggered_at == body["triggeredAt"]
    assert before - timedelta(seconds=1) <= row.received_at <= datetime.now(UTC)
    assert row.updated_at == row.received_at
    assert json.loads(row.payload)["data"]["candidateId"].startswith("é" * 100 + "…")
    # Other events are stored, ignored; a name past ASCII arrives whole.
    assert post_webhook(signed_body(event="étapeChangée")).get_json() == {"status": "ignored"}
    row = _last_delivery(db)
    assert (row.event, row.status) == ("étapeChangée", "ignored")


def test_a_nul_in_a_value_is_refused_not_cut_short(db, integration):
    # libpq reads a text parameter up to its first NUL; psycopg refused it, and so must we.
    fields = {
        "token_hash": "a" * 64, "signature_hash": "b" * 64, "opportunity_id": "opp\x00-1",
        "contact_id": None, "triggered_at": 1, "payload": "{}",
    }  # fmt: skip
    with pytest.raises(DBAPIError, match="NUL"):
        signed.store_signed(
            integration.id, "cezannehr", integration.signature_token_encrypted,
            event="candidateHired", **fields,
        )  # fmt: skip
    assert _count(db) == 0


def test_a_broken_connection_is_replaced_and_the_webhook_still_stored(
    db, integration, signed_body, post_webhook
):
    assert post_webhook(signed_body()).get_json() == ACCEPTED
    first = signed._groups.of(db.engine).connection.connection
    with db.engine.connect() as admin:
        admin.execute(
            text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first.info.backend_pid}
        )
    assert post_webhook(signed_body()).get_json() == ACCEPTED
    assert first.closed
    assert signed._groups.of(db.engine).connection.connection is not first
    assert _count(db) == 2


def test_the_connection_closes_with_the_engines_pool(db, integration, signed_body, post_webhook):
    assert post_webhook(signed_body()).get_json() == ACCEPTED
    connection = signed._groups.of(db.engine).connection.connection
    db.engine.dispose()
    assert connection.closed


def test_one_connection_serves_every_thread_of_the_process(app, db, integration):
    # A server with a thread per connection (werkzeug's) must not open one per request.
    key = _key(integration)
    names = ("token_hash", "signature_hash", "opportunity_id", "contact_id", "triggered_at")
    backends = []

    def serve(n: int):
        with app.app_context():  # as a request's thread
            fields = {name: _values(key, n)[name] for name in names}
            signed.store_signed(*key, event="candidateHired", payload="{}", **fields)
            group = signed._groups.of(db.engine)
            backends.append(group.connection.connection.info.backend_pid)

    def connections() -> int:
        with db.engine.connect() as admin:
            return admin.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            )

    serve(0)  # the receiver's connection is opened
    before = connections()
    for n in range(1, 4):
        thread = threading.Thread(target=serve, args=(n,))
        thread.start()
        thread.join()
    assert connections() == before  # no thread opened one of its own
    assert len(set(backends)) == 1
    assert _count(db) == 4


def test_a_silent_server_fails_the_statement_within_seconds(db, integration):
    # Every webhook thread of a worker waits on this connection: it must not hang on a server
    # that stopped answering.
    connection = signed._groups.of(db.engine).connection.connection
    assert connection.execute("SHOW statement_timeout").fetchone()[0] == "10s"


def test_a_refused_statement_s_error_never_carries_the_key(db, integration):
    values = _values(_key(integration), 1, opportunity_id="x" * 65)  # the column holds 64
    [error] = signed._groups.of(db.engine)._store([values])
    assert isinstance(error, DBAPIError) and "too long" in str(error)
    assert integration.signature_token_encrypted not in str(error)


def _key(integration) -> tuple:
    """What the receiver remembers of an integration: id, subdomain, key ciphertext."""
    return (integration.id, "cezannehr", integration.signature_token_encrypted)


def _values(key: tuple, n: int, **override) -> dict:
    fields = {
        "token_hash": f"{n:064x}", "signature_hash": f"{n + 10**6:064x}",
        "opportunity_id": f"opp-{n}", "contact_id": None, "triggered_at": n, "payload": "{}",
    }  # fmt: skip
    fields.update(override)
    return signed.row_values(*key, event="candidateHired", **fields)


def _stored_tokens(db) -> dict[int, str]:
    db.session.rollback()  # a fresh snapshot
    return dict(db.session.execute(select(WebhookDelivery.id, WebhookDelivery.token_hash)).all())


def test_rows_waiting_together_are_one_statement_and_each_gets_its_own_row(
    db, integration, tmp_path
):
    group = signed._groups.of(db.engine)
    group._store([_values(_key(integration), 9)])  # the statement is prepared on the connection
    rows = [_values(_key(integration), n) for n in (1, 2, 3)]
    repeat = _values(_key(integration), 1)  # the same token and signature as the first
    outcomes = []
    sent = _sent(group.connection.connection, tmp_path, lambda: outcomes.extend(
        group._store([*rows, repeat])
    ))  # fmt: skip
    assert sent == ["Bind", "Describe", "Execute", "Sync"]  # one statement, one commit
    assert outcomes[3] is None  # the repeat stored nothing: the receiver answers it carefully
    tokens = _stored_tokens(db)
    assert len(tokens) == 4
    assert [tokens[delivery_id] for delivery_id, _ in outcomes[:3]] == [
        row["token_hash"] for row in rows
    ]
    assert {status for _, status in outcomes[:3]} == {"received"}


def test_a_row_the_database_refuses_fails_alone(db, integration):
    group = signed._groups.of(db.engine)
    good = [_values(_key(integration), n) for n in (1, 2)]
    too_long = _values(_key(integration), 3, opportunity_id="x" * 65)  # the column holds 64
    with_nul = _values(_key(integration), 4, contact_id="c\x00")
    outcomes = group._store([good[0], too_long, with_nul, good[1]])
    assert isinstance(outcomes[1], DBAPIError) and "too long" in str(outcomes[1])
    assert isinstance(outcomes[2], DBAPIError) and "NUL" in str(outcomes[2])
    tokens = _stored_tokens(db)
    assert sorted(tokens.values()) == sorted(row["token_hash"] for row in good)
    assert {tokens[outcomes[0][0]], tokens[outcomes[3][0]]} == set(tokens.values())


def test_values_with_quotes_backslashes_and_braces_arrive_whole(db, integration):
    group = signed._groups.of(db.engine)
    awkward = 'a "quoted" \\ back{slash}, NULL'
    [outcome] = group._store([_values(_key(integration), 1, payload=awkward, contact_id="NULL")])
    db.session.rollback()
    row = db.session.get(WebhookDelivery, outcome[0])
    assert (row.payload, row.contact_id) == (awkward, "NULL")


def test_many_threads_storing_at_once_each_get_their_own_delivery(app, db, integration):
    answers: dict[str, int] = {}
    key = _key(integration)
    names = ("token_hash", "signature_hash", "opportunity_id", "contact_id", "triggered_at")

    def serve(base: int):
        with app.app_context():
            for n in range(base, base + 25):
                fields = {name: _values(key, n)[name] for name in names}
                delivery_id, _ = signed.store_signed(
                    *key, event="candidateHired", payload="{}", **fields
                )
                answers[fields["token_hash"]] = delivery_id

    threads = [threading.Thread(target=serve, args=(base * 100,)) for base in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 200
    tokens = _stored_tokens(db)
    assert {token: delivery_id for delivery_id, token in tokens.items()} == answers


def test_a_statement_the_server_forgot_is_prepared_again(db, integration):
    group = signed._groups.of(db.engine)
    [first] = group._store([_values(_key(integration), 1)])
    stale = group.connection.connection
    stale.execute("DEALLOCATE lever_cezanne_store_signed")  # as a pooler's DISCARD ALL does
    [second] = group._store([_values(_key(integration), 2)])
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert stale.closed and group.connection.connection is not stale
    assert len(_stored_tokens(db)) == 2


def test_a_migration_changing_a_returned_column_does_not_break_the_receiver(db, integration):
    group = signed._groups.of(db.engine)
    group._store([_values(_key(integration), 1)])
    with db.engine.begin() as admin:  # what a migration widening `status` would do
        admin.execute(text("ALTER TABLE webhook_deliveries ALTER COLUMN status TYPE varchar(21)"))
    try:
        [outcome] = group._store([_values(_key(integration), 2)])
        assert isinstance(outcome, tuple), outcome
    finally:
        with db.engine.begin() as admin:
            admin.execute(
                text("ALTER TABLE webhook_deliveries ALTER COLUMN status TYPE varchar(20)")
            )
    assert len(_stored_tokens(db)) == 2
