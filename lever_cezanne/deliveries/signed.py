"""The receiver's one statement: store a delivery verified with a remembered signature key.

INSERT … SELECT FROM the integration … ON CONFLICT DO NOTHING RETURNING id, status, committed
at once: the row is inserted only while the integration still answers to that subdomain, is not
deleted and holds that very key ciphertext, so a key remembered by a web process can never store
anything once the key, the subdomain or the integration changed.

On PostgreSQL each web thread keeps a connection of its own for this statement, outside the
engine's pool: no checkout, no pre-ping round trip, and psycopg keeps the statement prepared on
it. A connection found broken (the server restarted, an idle timeout cut it) is replaced and the
statement sent once more. That is harmless: if the first attempt did store the row, the second
inserts nothing and the receiver answers it the careful way, as a repeat already stored.
"""

import os
import threading
import weakref

import psycopg
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


def _close_if_ours(connection: psycopg.Connection, pid: int) -> None:
    """Close a connection made by this process; one a forked child inherited is only dropped,
    as the pool does (it is the parent's)."""
    if pid == os.getpid() and not connection.closed:
        connection.close()


class _Held:
    """A thread's connection for one engine. It is closed when the thread ends (its holder is
    freed with the thread's locals) or when the engine's pool is disposed."""

    __slots__ = ("__weakref__", "connection", "engine")

    def __init__(self, engine: Engine, connection: psycopg.Connection):
        self.engine, self.connection = engine, connection
        weakref.finalize(self, _close_if_ours, connection, os.getpid())


class _ThreadConnections:
    """One autocommit psycopg connection per thread and engine."""

    def __init__(self):
        self._local = threading.local()
        self._lock = threading.Lock()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()  # every thread's, for dispose
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()  # listened to

    def get(self, engine: Engine) -> psycopg.Connection:
        held = getattr(self._local, "held", None)
        if held is not None and held.engine is engine and not held.connection.closed:
            return held.connection
        held = self._local.held = _Held(engine, self._open(engine))
        with self._lock:
            self._held.add(held)
        return held.connection

    def discard(self, engine: Engine) -> None:
        """Close this thread's connection (it failed); the next get() opens another."""
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
    _, sql = _statement(engine.dialect)
    for attempt in (1, 2):
        connection = _connections.get(engine)
        try:
            # The SQL compiled once, sent as it is (psycopg prepares it on the server after a
            # few runs): these values need no conversion (text, integers, an aware UTC datetime).
            return connection.execute(sql, params).fetchone()
        except psycopg.Error as exc:
            lost = connection.closed or connection.broken
            if lost:
                _connections.discard(engine)
            if not lost or attempt == 2:
                raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc
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
