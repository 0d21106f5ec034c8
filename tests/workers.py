"""Running the suite on several pytest-xdist workers (`make test` does): each worker its own
PostgreSQL database and Redis database; then the suites that time processes or drive a browser,
in lanes side by side (LANES: one pytest-xdist worker each).

A worker's database is TEST_DATABASE_URL's name with the worker's id appended (test_gw0, …),
created when missing; its Redis database is REDIS_URL's number plus the worker's index. Both are
set in the environment before any test module is imported, so the processes a test starts (RQ
workers, gunicorn, flask commands) inherit them too.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from xdist.scheduler import LoadScopeScheduling

REDIS_DATABASES = 16

# Suites that time real processes (chaos, the Procfile) or drive a browser: beside the rest, on
# workers sharing two cores, their timeouts would turn into flakes, so they run after it (SERIAL),
# side by side in these lanes, each lane's tests in order in one process. The lanes mostly wait:
# the chaos run paces its hires and its Redis outage, the worker-crash tests wait for a lease to
# lapse, and the browser waits on the app. tests/e2e share one live stack per lane and run as
# stories; the tests that bring their own server (pickers, sync progress, checks) even the lanes
# out. The first matching prefix names a test's lane.
_CRASH = "tests/chaos/test_worker_crash.py::test_a_hire_killed_mid_job_completes_within_90_seconds"
LANES = (
    ("tests/chaos/test_chaos_run.py", "chaos run"),
    (f"{_CRASH}[simple-worker]", "own servers"),
    ("tests/org/test_picker_browser.py", "own servers"),
    ("tests/e2e/test_sync_progress.py", "own servers"),
    ("tests/e2e/test_checks.py", "own servers"),
    ("tests/chaos/", "processes"),
    ("tests/deploy/", "processes"),
    ("tests/e2e/test_hire_story.py", "browser stories"),
    ("tests/e2e/", "browser"),
)
SERIAL = tuple(prefix for prefix, _ in LANES)


def give_each_worker_its_services() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    index = int(worker.removeprefix("gw"))
    if database_url := os.environ.get("TEST_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = _own_database(database_url, worker)
    if redis_url := os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _own_redis_database(redis_url, index)


def _own_database(server_url: str, worker: str) -> str:
    parts = urlsplit(server_url)
    name = f"{parts.path.lstrip('/') or 'test'}_{worker}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def _own_redis_database(redis_url: str, index: int) -> str:
    parts = urlsplit(redis_url)
    number = int(parts.path.lstrip("/") or 0) + index
    if number >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL's database number plus {index} workers passes Redis's {REDIS_DATABASES} "
            "databases: use a lower database number in REDIS_URL or fewer workers (-n)"
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


class LaneScheduling(LoadScopeScheduling):
    """`--dist loadgroup`: each of the LANES whole on one xdist worker, in collection order.

    pytest-xdist's own loadgroup (tests marked xdist_group) groups nothing under pytest 9: it
    renames each test's nodeid through an attribute pytest 9 no longer reads."""

    def _split_scope(self, nodeid: str) -> str:
        return next((lane for prefix, lane in LANES if nodeid.startswith(prefix)), nodeid)


def mark_serial(items) -> None:
    """Mark the tests of the SERIAL suites `serial` (`make test` runs them in a second phase)."""
    for item in items:
        if item.nodeid.startswith(SERIAL):
            item.add_marker(pytest.mark.serial)
