"""The receiver's own PostgreSQL connection: one per process, outside the engine's pool, its
statement prepared once and run through libpq itself (psycopg's `pgconn`) with its values as
text arrays. psycopg's cursor machinery cost more CPU than the rest of a webhook's own work.

Every webhook thread of a process waits on this one connection, so a server that stops answering
fails it within seconds (a statement timeout, TCP keepalive and user timeout) instead of after
TCP's 15 minutes; the caller then replaces it.
"""

import os
import socket
import weakref
from collections.abc import Sequence
from datetime import datetime

import psycopg
from psycopg import pq
from sqlalchemy.engine import Engine

_PREPARED_NAME = b"lever_cezanne_store_signed"  # psycopg's own prepared statements are _pg3_*
_RESULT_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)
# "prepared statement does not exist"; "cached plan must not change result type"
_STALE_STATEMENT = (psycopg.errors.InvalidSqlStatementName, psycopg.errors.FeatureNotSupported)
STATEMENT_TIMEOUT_MS = 10_000  # then the webhook is answered 503 and Lever sends it again


def to_text(value) -> str | None:
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


def close_if_ours(connection: psycopg.Connection, pid: int) -> None:
    """Close a connection made by this process; one a forked child inherited is only dropped,
    as the pool does (it is the parent's)."""
    if pid == os.getpid() and not connection.closed:
        connection.close()


class Connection:
    """The process's autocommit connection for the statement, made by the engine (its URL,
    connect arguments and events) and taken out of its pool. Closed with the engine's pool."""

    __slots__ = ("__weakref__", "connection", "encoding", "pid", "prepared", "sql")

    def __init__(self, engine: Engine, sql: bytes):
        proxied = engine.raw_connection()
        proxied.detach()
        self.connection: psycopg.Connection = proxied.dbapi_connection  # psycopg's own
        self.connection.autocommit = True
        self.encoding = self.connection.info.encoding  # Python's name for the client encoding
        self.pid = os.getpid()
        self.sql = sql  # the one statement it runs
        self.prepared = False  # the statement, on this connection
        weakref.finalize(self, close_if_ours, self.connection, self.pid)
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
            self._result(pgconn.prepare, _PREPARED_NAME, self.sql)
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
