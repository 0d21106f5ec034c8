"""Check a pooled database connection before use, when it has been idle long enough to be stale.

SQLAlchemy's pool_pre_ping checks every connection each time it leaves the pool: a round trip
before every transaction, three or four per hire in a busy worker. A connection that went back to
the pool a moment ago was alive then; one that has been idle through a database restart, a
dropped backend or a network timeout has been idle for longer than any of those take. So only a
connection idle for IDLE_BEFORE_CHECK is pinged, and one that fails is replaced by a fresh one
(the pool's checkout event: raising DisconnectionError makes it retry).
"""

import time

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

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
            raise DisconnectionError("the pooled connection was stale") from exc

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", check)
