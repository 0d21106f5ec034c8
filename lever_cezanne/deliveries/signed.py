"""The receiver's one statement: store deliveries verified with a remembered signature key.

INSERT … SELECT FROM the integration … ON CONFLICT DO NOTHING RETURNING, committed at once: a row
is inserted only while the integration still answers to that subdomain, is not deleted and holds
that very key ciphertext, so a key remembered by a web process can never store anything once the
key, the subdomain or the integration changed.

On PostgreSQL the webhooks that threads of one process store at the same moment go in one such
statement, over rows unnested from arrays, and one commit (group_commit.py); each thread answers
only once that commit is done, so the 200 still means stored. The process keeps one connection
for it (receiver_connection.py).

A statement that fails stores nothing; its rows are then tried one statement each, so one bad
row (or a deadlock with another process's statement) fails only its own request. A connection
found broken (the server restarted, an idle timeout cut it) is replaced and the statement sent
once more. That is harmless: a row the first attempt did store is not inserted again, and its
request is answered the careful way, as a repeat already stored.
"""

import functools
import threading
import weakref
from collections.abc import Sequence

import psycopg
from sqlalchemy import bindparam, case, event, func, literal_column, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from lever_cezanne.deliveries.group_commit import GroupCommit, Interrupted
from lever_cezanne.deliveries.inbox import HIRED_EVENT
from lever_cezanne.deliveries.receiver_connection import Connection, close_if_ours, to_text
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
Row = tuple[int, str]  # the stored delivery's id and status


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


class _Group:
    """One engine's group commit in this process, and the connection it runs on."""

    def __init__(self, engine: Engine):
        self._engine = weakref.ref(engine)  # the group must not keep its engine alive
        self.commit: GroupCommit[dict, Row | None] = GroupCommit(self._store)
        self._connection: Connection | None = None  # only the leading thread uses it
        self._in_use = threading.Lock()  # held by a statement; close() waits for it

    @property
    def connection(self) -> Connection:
        if self._connection is None or not self._connection.usable():
            self._connection = Connection(self._engine(), _GROUP_SQL)
        return self._connection

    def close(self) -> None:
        with self._in_use:  # never free libpq's connection under a running statement
            if self._connection is not None:
                close_if_ours(self._connection.connection, self._connection.pid)

    def _store(self, batch: Sequence[dict]) -> list[Row | Exception | None]:
        outcomes: list[Row | Exception | None] = [None] * len(batch)
        rows, places = [], []
        for place, params in enumerate(batch):
            try:
                rows.append([to_text(params[name]) for name in _PARAMS])
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
