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
from lever_cezanne.models.people import GENDER_NOT_KNOWN

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


def commits_without_waiting_for_the_disk(engine) -> None:
    """Set synchronous_commit off for every later connection to the test database (PostgreSQL).

    A commit then returns before its WAL reaches the disk: only a crash of PostgreSQL itself could
    lose it, which no test causes, and a hire's dozen commits stop waiting for a flush each. The
    processes a test starts (RQ workers, served apps) connect to the same database and get it too.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        name = connection.exec_driver_sql("SELECT current_database()").scalar()
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
        connection.commit()
    engine.dispose()  # connections opened before the change keep the old setting


def truncate_all() -> None:
    """Empty every table (ids restart at 1) but for the Not Known gender, seeded if it is gone.

    Rows are deleted, children first, and on PostgreSQL only from the tables holding rows: a test
    leaves a few rows in a few tables, and TRUNCATE, which gives each table and index new files,
    cost ~60 ms where these DELETEs cost a few. Every sequence is set just past its table's
    highest id, since rolled-back inserts advance sequences too.
    """
    tables = [t.name for t in db.metadata.sorted_tables]
    postgres = db.engine.dialect.name == "postgresql"
    holding = set(tables)
    if postgres:
        holding = {name for (name,) in db.session.execute(text(_holding_rows(tables)))}
    for name in reversed(tables):
        if name in holding:
            db.session.execute(text(f"DELETE FROM {name}{_SEEDED.get(name, '')}"))  # noqa: S608
    ensure_gender_not_known()
    if postgres:
        ids = [n for n in tables if "id" in db.metadata.tables[n].c]
        db.session.execute(text(_restart_ids(ids)))
    db.session.commit()


def _holding_rows(tables: list[str]) -> str:
    """One query naming the tables that hold rows (beside their seeded ones)."""
    return " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name}{_SEEDED.get(name, '')})"  # noqa: S608
        for name in tables
    )


def _restart_ids(tables: list[str]) -> str:
    """One query setting each table's id sequence just past its highest id."""
    return " UNION ALL ".join(
        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
        f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
        for name in tables
    )


# Rows every test may count on (the Not Known gender): kept; only the others are deleted.
_SEEDED = {"genders": f" WHERE code <> '{GENDER_NOT_KNOWN}'"}


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
