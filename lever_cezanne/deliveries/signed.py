"""The receiver's one statement: store a delivery verified with a remembered signature key.

INSERT … SELECT FROM the integration … ON CONFLICT DO NOTHING RETURNING id, status, committed
at once: the row is inserted only while the integration still answers to that subdomain, is not
deleted and holds that very key ciphertext, so a key remembered by a web process can never store
anything once the key, the subdomain or the integration changed.

On PostgreSQL each web thread keeps a connection of its own for this statement, outside the
engine's pool: no checkout, no pre-ping round trip. The statement is prepared on it once and run
through libpq itself (psycopg's `pgconn`), its values already text: psycopg's cursor machinery
(query conversion, adapters, its prepare bookkeeping) cost more CPU than the rest of the request's
own work. A connection found broken (the server restarted, an idle timeout cut it) is replaced and
the statement sent once more. That is harmless: if the first attempt did store the row, the
second inserts nothing and the receiver answers it the careful way, as a repeat already stored.
"""

import os
import threading
import weakref
from datetime import datetime

import psycopg
from psycopg import pq
from sqlalchemy import bindparam, case, event, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from lever_cezanne.deliveries.inbox import HIRED_EVENT
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DeliverySource, DeliveryStatus

_COLUMNS = (
    "integration_id", "event", "source", "status", "attempts", "received_at", "updated_at",
    "token_hash", "signature_hash", "opportunity_id", "contact_id", "triggered_at", "payload",
)  # fmt: skip
_statements: dict[tuple[str, str], tuple] = {}
_PREPARED_NAME = b"lever_cezanne_store_signed"  # psycopg's own prepared statements are _pg3_*
_RESULT_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)


def _statement(dialect) -> tuple:
    """Build (once per dialect) the INSERT … SELECT; return it with its SQL compiled."""
    found = _statements.get((dialect.name, dialect.driver))
    if found is not None:
        return found
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
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(delivery)
        .from_select(_COLUMNS, source)
        .on_conflict_do_nothing()
        .returning(column.id, column.status)
    )
    found = (statement, statement.compile(dialect=dialect).string)
    _statements[(dialect.name, dialect.driver)] = found
    return found


def _positional(dialect) -> tuple[bytes, tuple[str, ...]]:
    """Return (once per dialect) the statement as libpq takes it, with $n placeholders, and the
    names of its parameters in $n order."""
    key = ("libpq", dialect.name)
    found = _statements.get(key)
    if found is None:
        statement, _ = _statement(dialect)
        compiled = statement.compile(dialect=type(dialect)(paramstyle="numeric_dollar"))
        found = _statements[key] = (compiled.string.encode(), tuple(compiled.positiontup))
    return found


def _text(value, encoding: str) -> bytes | None:
    """A parameter in PostgreSQL's text format, refused as psycopg would refuse it."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat().encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    if not isinstance(value, str):
        raise psycopg.ProgrammingError(f"cannot send a {type(value).__name__} as text")
    # libpq reads a text parameter up to its first NUL: the rest would be lost, silently.
    if "\x00" in value:
        raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    try:
        return value.encode(encoding)
    except UnicodeEncodeError as exc:
        raise psycopg.DataError(str(exc)) from exc


def _result(held: "_Held", call, *args) -> pq.abc.PGresult:
    """Call libpq; raise psycopg's error for a failed statement, as its cursors do."""
    try:
        result = call(*args)
    except MemoryError as exc:  # libpq returns no result at all when it could not send
        message = held.connection.pgconn.error_message.decode(held.encoding, "replace")
        raise psycopg.OperationalError(message) from exc
    if result.status not in _RESULT_OK:
        raise psycopg.errors.error_from_result(result, encoding=held.encoding)
    return result


def _run_prepared(held: "_Held", sql: bytes, values: list) -> tuple | None:
    """Run the statement on a thread's connection (preparing it there first); return its row."""
    pgconn = held.connection.pgconn
    if not held.prepared:
        _result(held, pgconn.prepare, _PREPARED_NAME, sql)
        held.prepared = True
    # libpq waits for the answer with the GIL released, as psycopg's own wait does.
    result = _result(held, pgconn.exec_prepared, _PREPARED_NAME, values)
    if result.ntuples == 0:
        return None
    return int(result.get_value(0, 0)), result.get_value(0, 1).decode()


def _close_if_ours(connection: psycopg.Connection, pid: int) -> None:
    """Close a connection made by this process; one a forked child inherited is only dropped,
    as the pool does (it is the parent's)."""
    if pid == os.getpid() and not connection.closed:
        connection.close()


class _Held:
    """A thread's connection for one engine. It is closed when the thread ends (its holder is
    freed with the thread's locals) or when the engine's pool is disposed."""

    __slots__ = ("__weakref__", "connection", "encoding", "engine", "prepared")

    def __init__(self, engine: Engine, connection: psycopg.Connection):
        self.engine, self.connection = engine, connection
        self.encoding = connection.info.encoding  # Python's name for the client encoding
        self.prepared = False  # the statement, on this connection
        weakref.finalize(self, _close_if_ours, connection, os.getpid())


class _ThreadConnections:
    """One autocommit psycopg connection per thread and engine."""

    def __init__(self):
        self._local = threading.local()
        self._lock = threading.Lock()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()  # every thread's, for dispose
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()  # listened to

    def held(self, engine: Engine) -> _Held:
        held = getattr(self._local, "held", None)
        if held is not None and held.engine is engine and not held.connection.closed:
            return held
        held = self._local.held = _Held(engine, self._open(engine))
        with self._lock:
            self._held.add(held)
        return held

    def discard(self, engine: Engine) -> None:
        """Close this thread's connection (it failed); the next held() opens another."""
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            _close_if_ours(held.connection, os.getpid())

    def _open(self, engine: Engine) -> psycopg.Connection:
        # Made by the engine (its URL, connect arguments and events), then taken out of its pool.
        proxied = engine.raw_connection()
        proxied.detach()
        connection = proxied.dbapi_connection  # psycopg's own connection
        connection.autocommit = True
        with self._lock:
            if engine not in self._engines:
                event.listen(engine, "engine_disposed", self._close_all)
                self._engines.add(engine)
        return connection

    def _close_all(self, engine: Engine) -> None:
        """The engine's pool was disposed: close every thread's connection of it with it."""
        with self._lock:
            held = [h for h in self._held if h.engine is engine]
        for each in held:
            _close_if_ours(each.connection, os.getpid())


_connections = _ThreadConnections()


def _insert(params: dict):
    engine = db.engine
    if engine.dialect.name != "postgresql":
        statement, _ = _statement(engine.dialect)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            return connection.execute(statement, params).first()
    sql, names = _positional(engine.dialect)
    for attempt in (1, 2):
        held = _connections.held(engine)
        try:
            values = [_text(params[name], held.encoding) for name in names]
            return _run_prepared(held, sql, values)
        except psycopg.Error as exc:
            lost = held.connection.closed
            if lost:
                _connections.discard(engine)
            if not lost or attempt == 2:
                raise DBAPIError.instance(sql.decode(), params, exc, psycopg.Error) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def store_signed(
    integration_id: int, subdomain: str, key_ciphertext: str, *, event: str, **fields
) -> tuple[int, DeliveryStatus] | None:
    """Store a delivery verified with a cached signature key, in one statement committed at once.

    The row is inserted only if integration `integration_id` still answers to `subdomain`
    (lowercase), is not deleted, and still holds `key_ciphertext`; held while it is paused.
    Return (id, status), or None when nothing was stored: a repeat, or the integration changed
    (the caller then checks the long way). `fields` as for inbox.store(). Raises a SQLAlchemy
    DBAPIError when the database refuses or cannot be reached.
    """
    hired = event == HIRED_EVENT
    params = {
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
    row = _insert(params)
    return None if row is None else (row[0], DeliveryStatus(row[1]))
