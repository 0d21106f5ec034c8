"""The receiver's one statement: store deliveries verified with a remembered signature key.

INSERT … SELECT FROM the integration … ON CONFLICT DO NOTHING RETURNING, committed at once: a row
is inserted only while the integration still answers to that subdomain, is not deleted and holds
that very key ciphertext, so a key remembered by a web process can never store anything once the
key, the subdomain or the integration changed.

On PostgreSQL the webhooks that threads of one process store at the same moment go in one such
statement, over rows unnested from arrays, and one commit (group_commit.py); each thread answers
only once that commit is done, so the 200 still means stored. The process keeps one connection
for it, outside the engine's pool: no checkout, no pre-ping round trip. The statement is prepared
on it once and run through libpq itself (psycopg's `pgconn`), its values already text: psycopg's
cursor machinery cost more CPU than the rest of the request's own work.

A statement that fails stores nothing; its rows are then tried one statement each, so one bad
row (or a deadlock with another process's statement) fails only its own request. A connection
found broken (the server restarted, an idle timeout cut it) is replaced and the statement sent
once more. That is harmless: a row the first attempt did store is not inserted again, and its
request is answered the careful way, as a repeat already stored.
"""

import functools
import os
import socket
import threading
import weakref
from collections.abc import Sequence
from datetime import datetime

import psycopg
from psycopg import pq
from sqlalchemy import bindparam, case, event, func, literal_column, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from lever_cezanne.deliveries.group_commit import GroupCommit, Interrupted
from lever_cezanne.deliveries.inbox import HIRED_EVENT
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DeliverySource, DeliveryStatus

_COLUMNS = (
    "integration_id", "event", "source", "status", "attempts", "received_at", "updated_at",
    "token_hash", "signature_hash", "opportunity_id", "contact_id", "triggered_at", "payload",
)  # fmt: skip
# The values of one row, in the order of the arrays the statement unnests, with their types.
_PARAMS = {
    "integration_id": "integer", "subdomain": "text", "key_ciphertext": "text", "event": "text",
    "source": "text", "status_running": "text", "status_paused": "text", "token_hash": "text",
    "signature_hash": "text", "opportunity_id": "text", "contact_id": "text",
    "now": "timestamptz", "triggered_at": "bigint", "payload": "text",
}  # fmt: skip
_ARRAYS = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(_PARAMS.values(), start=1))
# The three values that tell one request's row from another's in RETURNING.
_KEY = tuple(list(_PARAMS).index(n) for n in ("integration_id", "token_hash", "signature_hash"))
# Rows in the order their requests arrived, so that of two repeats the first is stored.
# Only names and placeholders from the constants above are formatted in.
_GROUP_SQL = f"""
INSERT INTO webhook_deliveries ({", ".join(_COLUMNS)})
SELECT i.id, v.event, v.source,
       CASE WHEN i.paused_at IS NULL THEN v.status_running ELSE v.status_paused END,
       0, v.now, v.now, v.token_hash, v.signature_hash, v.opportunity_id, v.contact_id,
       v.triggered_at, v.payload
FROM unnest({_ARRAYS}) WITH ORDINALITY AS v({", ".join(_PARAMS)}, n)
JOIN lever_integrations AS i
  ON i.id = v.integration_id AND lower(i.subdomain) = v.subdomain
 AND i.deleted_at IS NULL AND i.signature_token_encrypted = v.key_ciphertext
ORDER BY v.n
ON CONFLICT DO NOTHING
RETURNING id, status, integration_id, token_hash, signature_hash
""".encode()  # noqa: S608
_PREPARED_NAME = b"lever_cezanne_store_signed"  # psycopg's own prepared statements are _pg3_*
_RESULT_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)
Row = tuple[int, str]  # the stored delivery's id and status
# "prepared statement does not exist"; "cached plan must not change result type"
_STALE_STATEMENT = (psycopg.errors.InvalidSqlStatementName, psycopg.errors.FeatureNotSupported)
STATEMENT_TIMEOUT_MS = 10_000  # then the webhook is answered 503 and Lever sends it again


@functools.cache
def _sqlite_statement():
    """The INSERT … SELECT of one row, for SQLite (no arrays, no group commit there)."""
    integration, delivery = LeverIntegration.__table__, WebhookDelivery.__table__
    column = delivery.c

    def value(name):
        return bindparam(name, type_=column[name].type)

    status = case(
        (integration.c.paused_at.is_(None), bindparam("status_running", type_=column.status.type)),
        else_=bindparam("status_paused", type_=column.status.type),
    )
    now = bindparam("now", type_=column.received_at.type)
    source = select(
        integration.c.id, value("event"), value("source"), status, literal_column("0"), now, now,
        value("token_hash"), value("signature_hash"), value("opportunity_id"),
        value("contact_id"), value("triggered_at"), value("payload"),
    ).where(
        integration.c.id == bindparam("integration_id"),
        func.lower(integration.c.subdomain) == bindparam("subdomain"),
        integration.c.deleted_at.is_(None),
        integration.c.signature_token_encrypted == bindparam("key_ciphertext"),
    )  # fmt: skip
    return (
        sqlite.insert(delivery)
        .from_select(_COLUMNS, source)
        .on_conflict_do_nothing()
        .returning(column.id, column.status)
    )


def _text(value) -> str | None:
    """A value in PostgreSQL's text format, refused as psycopg would refuse it."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise psycopg.ProgrammingError(f"cannot send a {type(value).__name__} as text")
    # libpq reads a text parameter up to its first NUL: the rest would be lost, silently.
    if "\x00" in value:
        raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return value


def _element(value: str | None) -> str:
    """One element of an array literal: quoted, with its quotes and backslashes escaped."""
    if value is None:
        return "NULL"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _arrays(rows: Sequence[list[str | None]], encoding: str) -> list[bytes]:
    """The rows' values as one array literal per column, encoded for the connection."""
    arrays = []
    for column in zip(*rows, strict=True):
        literal = "{" + ",".join(map(_element, column)) + "}"
        try:
            arrays.append(literal.encode(encoding))
        except UnicodeEncodeError as exc:
            raise psycopg.DataError(str(exc)) from exc
    return arrays


def _give_up_on_silence(fd: int) -> None:
    """On TCP, drop the connection when the server stops acknowledging what is sent (a
    half-open connection after a failover) or answering keepalive probes."""
    sock = socket.socket(fileno=os.dup(fd))
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # a Unix socket: the server's death closes it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 2)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, STATEMENT_TIMEOUT_MS)
    finally:
        sock.close()  # the duplicate only: the connection keeps its own descriptor


def _close_if_ours(connection: psycopg.Connection, pid: int) -> None:
    """Close a connection made by this process; one a forked child inherited is only dropped,
    as the pool does (it is the parent's)."""
    if pid == os.getpid() and not connection.closed:
        connection.close()


class _Connection:
    """The process's autocommit connection for the statement, made by the engine (its URL,
    connect arguments and events) and taken out of its pool. Closed with the engine's pool."""

    __slots__ = ("__weakref__", "connection", "encoding", "pid", "prepared")

    def __init__(self, engine: Engine):
        proxied = engine.raw_connection()
        proxied.detach()
        self.connection: psycopg.Connection = proxied.dbapi_connection  # psycopg's own
        self.connection.autocommit = True
        self.encoding = self.connection.info.encoding  # Python's name for the client encoding
        self.pid = os.getpid()
        self.prepared = False  # the statement, on this connection
        weakref.finalize(self, _close_if_ours, self.connection, self.pid)
        # Every webhook thread of the process waits on this one connection: a server that stops
        # answering must fail it within seconds (then replaced), not after TCP's 15 minutes.
        self.connection.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        _give_up_on_silence(self.connection.pgconn.socket)

    def usable(self) -> bool:
        return self.pid == os.getpid() and not self.connection.closed

    def _result(self, call, *args) -> pq.abc.PGresult:
        """Call libpq; raise psycopg's error for a failed statement, as its cursors do."""
        try:
            result = call(*args)
        except MemoryError as exc:  # libpq returns no result at all when it could not send
            message = self.connection.pgconn.error_message.decode(self.encoding, "replace")
            raise psycopg.OperationalError(message) from exc
        if result.status not in _RESULT_OK:
            raise psycopg.errors.error_from_result(result, encoding=self.encoding)
        return result

    def insert(self, rows: Sequence[list[str | None]]) -> list[tuple[str, ...]]:
        """Run the statement over the rows; return each stored row's RETURNING values, as text."""
        pgconn = self.connection.pgconn
        if not self.prepared:
            self._result(pgconn.prepare, _PREPARED_NAME, _GROUP_SQL)
            self.prepared = True
        # libpq waits for the answer with the GIL released, as psycopg's own wait does.
        try:
            result = self._result(
                pgconn.exec_prepared, _PREPARED_NAME, _arrays(rows, self.encoding)
            )
        except _STALE_STATEMENT:
            # The statement is gone (a pooler's DISCARD ALL) or its plan no longer fits the
            # table (a migration changed a column): close the connection, so that the caller
            # prepares the statement again on a new one and sends the rows once more.
            self.connection.close()
            raise
        return [
            tuple(result.get_value(n, c).decode(self.encoding) for c in range(5))
            for n in range(result.ntuples)
        ]


class _Group:
    """One engine's group commit in this process, and the connection it runs on."""

    def __init__(self, engine: Engine):
        self._engine = weakref.ref(engine)  # the group must not keep its engine alive
        self.commit: GroupCommit[dict, Row | None] = GroupCommit(self._store)
        self._connection: _Connection | None = None  # only the leading thread uses it
        self._in_use = threading.Lock()  # held by a statement; close() waits for it

    @property
    def connection(self) -> _Connection:
        if self._connection is None or not self._connection.usable():
            self._connection = _Connection(self._engine())
        return self._connection

    def close(self) -> None:
        with self._in_use:  # never free libpq's connection under a running statement
            if self._connection is not None:
                _close_if_ours(self._connection.connection, self._connection.pid)

    def _store(self, batch: Sequence[dict]) -> list[Row | Exception | None]:
        outcomes: list[Row | Exception | None] = [None] * len(batch)
        rows, places = [], []
        for place, params in enumerate(batch):
            try:
                rows.append([_text(params[name]) for name in _PARAMS])
                places.append(place)
            except psycopg.Error as exc:
                outcomes[place] = _dbapi_error(exc, params)
        if not rows:
            return outcomes
        try:
            stored = self._insert(rows)
        except psycopg.Error as exc:
            if len(rows) == 1:
                outcomes[places[0]] = _dbapi_error(exc, batch[places[0]])
                return outcomes
            # One bad row, or a deadlock with another statement: each row on its own.
            for place in places:
                outcomes[place] = self._store([batch[place]])[0]
            return outcomes
        _match(stored, rows, places, outcomes)
        return outcomes

    def _insert(self, rows: Sequence[list[str | None]]) -> list[tuple[str, ...]]:
        for attempt in (1, 2):
            with self._in_use:
                connection = self.connection
                try:
                    return connection.insert(rows)
                except psycopg.Error:
                    if not connection.connection.closed or attempt == 2:
                        raise
                    self._connection = None  # lost: the next attempt opens another
        raise AssertionError("unreachable")  # pragma: no cover


def _match(stored, rows, places, outcomes) -> None:
    """Give each stored row to the first request that sent it; the others stored nothing."""
    waiting: dict[tuple, list[int]] = {}
    for row, place in zip(rows, places, strict=True):
        waiting.setdefault(tuple(row[k] for k in _KEY), []).append(place)
    for delivery_id, status, *sent in stored:
        places = waiting.get(tuple(sent))
        if places:  # always, unless the server changed the values: then the careful path
            outcomes[places.pop(0)] = (int(delivery_id), status)


def _dbapi_error(exc: psycopg.Error, params: dict) -> DBAPIError:
    # Without its parameters: a logged error must not carry the key's ciphertext.
    error = DBAPIError.instance(
        _GROUP_SQL.decode(), params, exc, psycopg.Error, hide_parameters=True
    )
    error.__cause__ = exc
    return error


class _Groups:
    """Every engine's group in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._groups: weakref.WeakKeyDictionary[Engine, _Group] = weakref.WeakKeyDictionary()

    def of(self, engine: Engine) -> _Group:
        group = self._groups.get(engine)
        if group is None:
            with self._lock:
                group = self._groups.get(engine)
                if group is None:
                    group = self._groups[engine] = _Group(engine)
                    event.listen(engine, "engine_disposed", self._dispose)
        return group

    def _dispose(self, engine: Engine) -> None:
        """The engine's pool was disposed: close the group's connection with it."""
        group = self._groups.get(engine)
        if group is not None:
            group.close()


_groups = _Groups()


def _insert(params: dict) -> Row | None:
    engine = db.engine
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            row = connection.execute(_sqlite_statement(), params).first()
            return None if row is None else (row[0], row[1])
    try:
        return _groups.of(engine).commit.submit(params)
    except Interrupted as exc:  # the receiver answers 503, as for any database failure
        raise OperationalError(_GROUP_SQL.decode(), None, exc, hide_parameters=True) from exc


def store_signed(
    integration_id: int, subdomain: str, key_ciphertext: str, *, event: str, **fields
) -> tuple[int, DeliveryStatus] | None:
    """Store a delivery verified with a cached signature key, committed before this returns.

    The row is inserted only if integration `integration_id` still answers to `subdomain`
    (lowercase), is not deleted, and still holds `key_ciphertext`; held while it is paused.
    Return (id, status), or None when nothing was stored: a repeat, or the integration changed
    (the caller then checks the long way). `fields` as for inbox.store(). Raises a SQLAlchemy
    DBAPIError when the database refuses or cannot be reached.
    """
    row = _insert(row_values(integration_id, subdomain, key_ciphertext, event=event, **fields))
    return None if row is None else (row[0], DeliveryStatus(row[1]))


def row_values(
    integration_id: int, subdomain: str, key_ciphertext: str, *, event: str, **fields
) -> dict:
    """The statement's values for one delivery (store_signed's arguments)."""
    hired = event == HIRED_EVENT
    return {
        **fields,
        "integration_id": integration_id,
        "subdomain": subdomain,
        "key_ciphertext": key_ciphertext,
        "event": event,
        "source": DeliverySource.WEBHOOK,
        "status_running": DeliveryStatus.RECEIVED if hired else DeliveryStatus.IGNORED,
        "status_paused": DeliveryStatus.HELD if hired else DeliveryStatus.IGNORED,
        "now": utcnow(),
    }
