"""Check a pooled database connection before use, when it has been idle long enough to be stale.

SQLAlchemy's pool_pre_ping checks every connection each time it leaves the pool: a round trip
before every transaction, three or four per hire in a busy worker. A connection that went back to
the pool a moment ago was alive then, and a database restart or a network timeout takes longer
than IDLE_BEFORE_CHECK. So only a connection idle for that long is pinged; when the ping finds the
database gone, the pool's older connections are invalidated as pre-ping does and a fresh one is
made (the pool's checkout event retries on DisconnectionError). A backend dropped within that
second (pg_terminate_backend) fails its connection's next statement once: a job retries it, as
it retries any database error, and a request is answered with an error page.
"""

import time

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError

from lever_cezanne.extensions import db

IDLE_BEFORE_CHECK = 1.0  # seconds; a restart or a dropped backend takes longer to happen
_IDLE_SINCE = "lever_cezanne_idle_since"


def init_app(app: Flask) -> None:
    """Check the app's pooled connections after they have been idle (see the module)."""
    with app.app_context():
        for engine in db.engines.values():
            check_after_idle(engine)


def check_after_idle(engine: Engine) -> None:
    dialect = engine.dialect

    def checked_in(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def check(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_CHECK:
            return  # new, or back in the pool only a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            raise InvalidatePoolError("the pooled connection was stale") from exc

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", check)
