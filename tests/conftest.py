"""Fixtures: app, client, a clean database per test, factories and login_as."""

import functools
import os
import re
import threading
from datetime import date

import pytest
from flask import g
from sqlalchemy import event

from lever_cezanne import create_app
from lever_cezanne.demo import ensure_gender_not_known
from lever_cezanne.extensions import db as _db
from lever_cezanne.onboarding.mapping import map_new_starter
from tests.database import (
    commits_without_waiting_for_the_disk,
    rolled_back,
    truncate_all,
    use_savepoints_on_sqlite,
)
from tests.factories import PASSWORD, SIGNATURE_TOKEN, Factories
from tests.jobs import watch_jobs
from tests.workers import LaneScheduling, give_each_worker_its_services, mark_serial

give_each_worker_its_services()
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)


def pytest_configure(config):
    """Hash test passwords with cheap Argon2id parameters: the suite creates hundreds of users."""
    config.addinivalue_line(
        "markers",
        "committed: the test needs real commits: its data must reach other connections (threads,"
        " servers, processes), or it counts what a commit sends; it runs on the app the committed"
        " tests share, and every table is emptied before and after it, instead of a rollback",
    )
    config.addinivalue_line(
        "markers",
        "serial: times real processes or drives a browser: `make test` runs it after the rest,"
        " in its lane (set by tests/workers.py)",
    )
    config.addinivalue_line(
        "markers", "own_app: the test changes how the app is built (routes, hooks): a fresh app"
    )
    from argon2 import PasswordHasher

    from lever_cezanne.accounts import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    mark_serial(items)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown when it is not loaded
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        return LaneScheduling(config, log)
    return None


def pytest_report_header(config):
    backend = "PostgreSQL" if ON_POSTGRES else "SQLite (set TEST_DATABASE_URL for PostgreSQL)"
    redis = os.environ.get("REDIS_URL") or "not set (in-process jobs)"
    return [f"database: {backend}", f"redis: {redis}"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def base_config(database_url, tmp_path_factory):
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": ["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="],
        "LEVER_SANDBOX_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Our own bucket for Lever's 10 requests/s would only pace the tests (a hire makes six
        # calls): off, but in tests/lever/test_rate_limit.py, which sets it.
        "LEVER_RATE_LIMIT": 0,
        "REDIS_URL": None,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def _schema(base_config):
    """Create the schema once per run from the models (migrations are tested on their own)."""
    app = create_app(base_config)
    with app.app_context():
        commits_without_waiting_for_the_disk(_db.engine)
        _db.drop_all()
        _db.create_all()
        ensure_gender_not_known()
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    return True


def _build_app(base_config):
    app = create_app(dict(base_config))
    # Test requests share the test's app context (and so `g`): forget the signed-in user after
    # each request, as a real server would, so session changes are seen by the next request.
    app.teardown_request(lambda exc: g.pop("_login_user", None))
    watch_jobs(app)
    return app


@pytest.fixture(scope="session")
def _shared_app(base_config, _schema):
    """The one app of the rolled-back tests."""
    app = _build_app(base_config)
    with app.app_context():
        use_savepoints_on_sqlite(_db.engine)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def _committed_shared_app(base_config, _schema):
    """The one app of the committed tests: without the rolled-back tests' SAVEPOINT set-up,
    which on SQLite would begin every transaction itself and change what a commit does."""
    app = _build_app(base_config)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(request, base_config, _schema):
    """The app, in a transaction rolled back after the test (one app for every such test, or its
    own when marked own_app); when marked committed, the app the committed tests share, with
    every table emptied before and after the test, since its data must reach other
    connections."""
    if request.node.get_closest_marker("committed"):
        yield from _committed_app(request.getfixturevalue("_committed_shared_app"))
    elif request.node.get_closest_marker("own_app"):
        app = _build_app(base_config)
        with app.app_context():
            use_savepoints_on_sqlite(_db.engine)
        yield from _rolled_back_app(app)
        with app.app_context():
            _db.engine.dispose()
    else:
        yield from _rolled_back_app(request.getfixturevalue("_shared_app"))


def _committed_app(app):
    built = _as_built(app)
    with app.app_context():
        truncate_all()  # ids restart at 1, whatever the rolled-back tests took meanwhile
        try:
            yield app
        finally:
            _db.session.remove()
            try:
                # First, so that no job of the test's runner writes after the tables are emptied.
                _forget_test_state(app, built)
            finally:
                truncate_all()
                _db.session.remove()
                # Connections the test's threads opened, and their settings, go with the test.
                _db.engine.dispose()


def _rolled_back_app(app):
    built = _as_built(app)
    try:
        with app.app_context(), rolled_back(app):
            yield app
    finally:
        _forget_test_state(app, built)


def _as_built(app) -> tuple[dict, object, dict]:
    """What a test may change on the shared app: its config, middleware and extensions."""
    return app.config.copy(), app.wsgi_app, dict(app.extensions)


def _forget_test_state(app, built: tuple[dict, object, dict]) -> None:
    """Put the shared app back as it was built: its job runner stopped first (it waits for the
    test's jobs, which still see the test's config) and a new one made; the test's mail sender
    stopped, its retry timers too; its config; its middleware (a test wrapping it in ProxyFix
    must not make later tests trust X-Forwarded-For); its extensions, so per-process caches and
    clients made during the test go (a Redis client is closed); and the login counts."""
    runner = app.extensions.get("lever_jobs")
    if runner is not None:
        runner.shutdown()
    config, app.wsgi_app, extensions = built
    mail = app.extensions.get("lever_mail")
    if mail is not None and mail is not extensions.get("lever_mail"):
        mail.shutdown()  # its retry timers too
    app.config.clear()
    app.config.update(config)
    redis = app.extensions.get("lever_redis")
    if redis is not None and redis is not extensions.get("lever_redis"):
        redis.close()
    app.extensions.clear()
    app.extensions.update(extensions)
    app.extensions["login_throttle"].storage.reset()
    if runner is not None:
        watch_jobs(app)


@pytest.fixture
def redis_app(app):
    """The app pointed at the Redis from REDIS_URL (each xdist worker its own database), emptied
    before and after the test; skipped, with the reason printed, where REDIS_URL is not set."""
    url = os.environ.get("REDIS_URL")
    if not url:
        print("skipping: REDIS_URL is not set (CI sets it)")
        pytest.skip("REDIS_URL is not set: this test needs a real Redis")
    from lever_cezanne.redis_client import redis_connection

    app.config["REDIS_URL"] = url
    connection = redis_connection()
    connection.flushdb()
    yield app
    connection.flushdb()
    app.extensions.pop("lever_redis").close()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def statements(db):
    """The SQL statements the app sends while the test runs (the test's own savepoints left
    out); clear() it to watch a part of the test only."""
    sent = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            sent.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(_db.engine, "before_cursor_execute", record)


@pytest.fixture
def factories(db):
    return Factories()


@pytest.fixture
def make_user(factories):
    return factories.user


@pytest.fixture
def make_company(factories):
    return factories.company


@pytest.fixture
def make_process(factories):
    return factories.process


@pytest.fixture
def make_person(factories):
    return factories.person


@pytest.fixture
def make_employment(factories):
    return factories.employment


@pytest.fixture
def make_task(factories):
    return factories.task


@pytest.fixture
def tick_all(db):
    """Tick every step of a task's checklist that a person may tick."""

    def tick(task, user):
        from lever_cezanne.processes import checklist

        for state in checklist.task_checklist(task):
            if state.tickable and not state.done:
                checklist.tick_step(task, state.step.id, user)
        db.session.commit()

    return tick


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="admin", display_name="Dana Admin")


@pytest.fixture
def hr_user(make_user):
    return make_user("hr", username="hr.alex", display_name="Alex Morgan")


@pytest.fixture
def company(make_company):
    return make_company(code="ACME", name="Acme Ltd")


@pytest.fixture
def new_hire_admin(make_user):
    return make_user("hr", username="nina", display_name="Nina New-Hire")


@pytest.fixture
def process(make_process):
    return make_process(name="Enter a New Starter", type_="with_absences")


@pytest.fixture
def make_integration(factories):
    """Create a CezanneHR integration, not authorised in Lever, with a known signature token."""
    return factories.integration


@pytest.fixture
def signature_token():
    """The integration's signature token (a folder's conftest may choose another)."""
    return SIGNATURE_TOKEN


@pytest.fixture
def integration(make_integration, company, new_hire_admin, signature_token):
    """The CezanneHR integration: Nina its New Hire Administrator, ACME its default company."""
    return make_integration(new_hire_admin, company, signature_token)


@pytest.fixture
def make_delivery(factories, integration):
    """Store a delivery of the integration (being processed, unless told otherwise)."""
    return functools.partial(factories.delivery, integration)


@pytest.fixture
def starter():
    """Map a Lever opportunity, as the hire job would, into a New Starter."""

    def make(name="Cosima Niehaus", contact_id="contact-1", email="cosima@example.com", **kw):
        opportunity = {
            "id": kw.pop("opportunity_id", "opp-1"),
            "name": name,
            "contact": {
                "id": contact_id,
                "name": name,
                "emails": [email] if email else [],
                "phones": [{"type": "work", "value": "020 7946 0000"}],
            },
        }
        return map_new_starter(
            opportunity,
            None,
            today=kw.pop("today", date(2024, 7, 1)),
            timezone="Europe/London",
            use_offer=False,
        )

    return make


@pytest.fixture
def login_as(client):
    def login(user, password=PASSWORD):
        response = client.post(
            "/auth/login", data={"username": user.username, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture
def csrf_token_from():
    """Pull the CSRF token out of a rendered form."""

    def extract(html: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, "no csrf_token in the page"
        return match.group(1)

    return extract


class LeverServer:
    """The Lever simulator served over real HTTP on 127.0.0.1, for the app's Lever client."""

    def __init__(self, config: dict):
        from werkzeug.serving import make_server

        from lever_cezanne.sandbox import create_app as create_sandbox

        self.app = create_sandbox(config)
        self.store = self.app.extensions["lever_sandbox"]
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def app_config(self) -> dict:
        """Config for our app that points every Lever endpoint at this simulator."""
        return {
            "LEVER_AUTHORIZE_URL": f"{self.base_url}/authorize",
            "LEVER_TOKEN_URL": f"{self.base_url}/oauth/token",
            "LEVER_API_URL": f"{self.base_url}/v1",
            "LEVER_AUDIENCE": f"{self.base_url}/v1/",
            "LEVER_CLIENT_ID": LEVER_CLIENT_ID,
            "LEVER_CLIENT_SECRET": LEVER_CLIENT_SECRET,
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


LEVER_CLIENT_ID = "lever-cezanne-local"
LEVER_CLIENT_SECRET = "lever-cezanne-local-secret"
OAUTH_CALLBACK = "http://localhost/integrations/lever/oauth/callback"


@pytest.fixture
def lever_sandbox_config() -> dict:
    """Simulator settings for lever_server; a test may change them before asking for it."""
    return {
        "STATE_PATH": None,
        "WEBHOOK_SYNC": True,
        "WEBHOOK_RETRY_DELAYS": [0.01] * 5,
        "WEBHOOK_TIMEOUT": 5,
        "RATE_LIMIT": None,
        "WEBHOOK_URL": "",
        "SECRET_KEY": "sandbox-tests",
        "CLIENT_ID": LEVER_CLIENT_ID,
        "CLIENT_SECRET": LEVER_CLIENT_SECRET,
        "REDIRECT_URIS": [OAUTH_CALLBACK],
        "FAULT_SEED": 1234,
    }


@pytest.fixture
def lever_server(lever_sandbox_config, app):
    """A running Lever simulator; the app's Lever endpoints point at it."""
    server = LeverServer(lever_sandbox_config)
    app.config.update(server.app_config())
    yield server
    server.close()
