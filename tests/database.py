"""The test database: each test in a transaction rolled back at its end, or truncated after it.

A rolled-back test binds every session of the app to one connection whose outer transaction is
never committed; a session's commit releases a SAVEPOINT (SQLAlchemy's "join a session into an
external transaction" recipe), so the test still sees what it committed. Whatever needs another
connection (a job thread, a served app, an autocommit statement, a worker process) cannot see
that data: such a test is marked ``committed`` and every table is truncated before and after it.
"""

import threading
from contextlib import contextmanager

from sqlalchemy import event, text

from lever_cezanne.demo import ensure_gender_not_known
from lever_cezanne.extensions import db

NEEDS_COMMITTED = (
    "this test reached the database outside its rolled-back transaction ({what}): "
    "mark it @pytest.mark.committed"
)


def use_savepoints_on_sqlite(engine) -> None:
    """Let pysqlite run SAVEPOINTs: SQLAlchemy emits BEGIN itself instead of the driver."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def truncate_all() -> None:
    """Empty every table (identities restarted on PostgreSQL) and seed the Not Known gender."""
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in reversed(tables):
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - names from metadata
    ensure_gender_not_known()
    db.session.commit()


@contextmanager
def rolled_back(app):
    """Run the body with every session of `app` joined to one transaction, rolled back after.

    Any other connection checked out of the app's pool, or a session used from another thread,
    is recorded and fails the test: its data would not be the test's.
    """
    engine = db.engine
    factory = db.session.session_factory
    saved_kw, saved_class = dict(factory.kw), factory.class_
    owner = threading.get_ident()
    strays: list[str] = []

    with engine.connect() as connection:
        outer = connection.begin()

        def _foreign_checkout(dbapi_connection, record, proxy):
            strays.append("a second connection from the pool")

        class JoinedSession(saved_class):
            def get_bind(self, *args, **kwargs):
                if threading.get_ident() != owner:
                    strays.append("a session in another thread")
                    raise RuntimeError(NEEDS_COMMITTED.format(what="another thread"))
                return connection

        factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        factory.class_ = JoinedSession
        event.listen(engine, "checkout", _foreign_checkout)
        try:
            yield
        finally:
            event.remove(engine, "checkout", _foreign_checkout)
            db.session.remove()
            factory.class_ = saved_class
            factory.kw.clear()
            factory.kw.update(saved_kw)
            outer.rollback()
    if strays:
        engine.dispose()  # and with it whatever a thread keeps open beside the pool
        raise AssertionError(NEEDS_COMMITTED.format(what=", ".join(sorted(set(strays)))))
