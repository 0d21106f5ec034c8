"""A pooled connection is pinged only after it has been idle; a stale one is replaced."""

from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from lever_cezanne.config import normalise_database_url as normalised
from lever_cezanne.core import connection_checks


@pytest.fixture
def clock(monkeypatch):
    """The checks' clock, moved by the test: no real waiting, no flakes on a busy machine."""
    now = SimpleNamespace(value=1000.0)
    monkeypatch.setattr(connection_checks, "time", SimpleNamespace(monotonic=lambda: now.value))
    return now


@pytest.fixture
def engine(database_url, monkeypatch, clock):
    engine = create_engine(normalised(database_url), pool_size=1, max_overflow=0)
    connection_checks.check_after_idle(engine)
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    engine.pings = pings
    yield engine
    engine.dispose()


def _use(engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def test_a_connection_back_a_moment_ago_is_not_pinged_and_an_idle_one_is(engine, clock):
    for _ in range(5):
        _use(engine)
        clock.value += connection_checks.IDLE_BEFORE_CHECK / 2
    assert engine.pings == []  # new, then back in the pool only a moment ago each time
    clock.value += connection_checks.IDLE_BEFORE_CHECK
    _use(engine)
    assert engine.pings == [1]


def test_a_stale_connection_is_replaced_after_a_failed_ping(engine, database_url, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("dropping a backend needs PostgreSQL")
    with engine.connect() as connection:
        old = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(normalised(database_url))
    with other.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": old})
        admin.commit()
    other.dispose()
    clock.value += connection_checks.IDLE_BEFORE_CHECK
    with engine.connect() as connection:  # no error: the ping failed, a fresh one was made
        new = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert new != old and engine.pings == [1]
