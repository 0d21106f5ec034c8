"""Fixtures: app, client, a clean database per test, factories and login_as."""

import os
import re
import threading
from datetime import date

import pytest
from flask import g
from sqlalchemy import select

from lever_cezanne import create_app
from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.crypto import encrypt
from lever_cezanne.demo import ensure_gender_not_known
from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Employment, Gender, LeverIntegration, Person, Task
from lever_cezanne.org.services import create_company
from lever_cezanne.processes.definition_services import create_process_definition
from tests.database import rolled_back, truncate_all, use_savepoints_on_sqlite
from tests.jobs import watch_jobs

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)
PASSWORD = "correct-horse-battery"
SIGNATURE_TOKEN = "signature-token"


def pytest_configure(config):
    """Hash test passwords with cheap Argon2id parameters: the suite creates hundreds of users."""
    config.addinivalue_line(
        "markers",
        "committed: the test needs real commits: its data must reach other connections (threads,"
        " servers, processes), or it counts what a commit sends; it gets its own app and every"
        " table is emptied after it, instead of a rollback",
    )
    config.addinivalue_line(
        "markers", "own_app: the test changes how the app is built (routes, hooks): a fresh app"
    )
    from argon2 import PasswordHasher

    from lever_cezanne.accounts import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password")


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
        "REDIS_URL": None,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def _schema(base_config):
    """Create the schema once per run from the models (migrations are tested on their own)."""
    app = create_app(base_config)
    with app.app_context():
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


@pytest.fixture
def app(request, base_config, _schema):
    """The app, in a transaction rolled back after the test (one app for every such test, or its
    own when marked own_app); when marked committed, its own app and every table emptied after
    the test, since its data must reach other connections."""
    if request.node.get_closest_marker("committed"):
        yield from _committed_app(base_config)
    elif request.node.get_closest_marker("own_app"):
        app = _build_app(base_config)
        with app.app_context():
            use_savepoints_on_sqlite(_db.engine)
        yield from _rolled_back_app(app)
        with app.app_context():
            _db.engine.dispose()
    else:
        yield from _rolled_back_app(request.getfixturevalue("_shared_app"))


def _committed_app(base_config):
    app = _build_app(base_config)
    with app.app_context():
        try:
            yield app
        finally:
            _db.session.remove()
            truncate_all()
            _db.session.remove()
            _db.engine.dispose()  # one engine per app: close its pool so no connection leaks


def _rolled_back_app(app):
    config = app.config.copy()
    try:
        with app.app_context(), rolled_back(app):
            yield app
    finally:
        _forget_test_state(app, config)


def _forget_test_state(app, config) -> None:
    """Put the shared app back as it was built: config, login counts, per-process caches."""
    app.config.clear()
    app.config.update(config)
    app.extensions["login_throttle"].storage.reset()
    app.extensions.pop("webhook_signing_keys", None)
    app.extensions.pop("lever_rate_buckets", None)
    app.extensions.pop("lever_mail", None)
    redis = app.extensions.pop("lever_redis", None)
    if redis is not None:
        redis.close()
    runner = app.extensions.get("lever_jobs")
    if runner is not None:
        runner.shutdown()
        watch_jobs(app)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 100000))

    def make(role="hr", username=None, password=PASSWORD, **kwargs):
        username = username or f"user{next(counter)}"
        user = create_user(
            username, password, role, kwargs.pop("display_name", None), kwargs.pop("email", None)
        )
        for key, value in kwargs.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_company(db):
    counter = iter(range(1, 100000))

    def make(code=None, name=None, active=True):
        n = next(counter)
        company = create_company(code or f"CO{n}", name or f"Company {n}", active=active)
        db.session.commit()
        return company

    return make


@pytest.fixture
def make_process(db):
    def make(name="Enter a New Starter", type_="with_absences", active=True, created_at=None):
        definition = create_process_definition(name, type_, active)
        if created_at is not None:
            definition.created_at = created_at
        db.session.commit()
        return definition

    return make


@pytest.fixture
def make_person(db):
    counter = iter(range(1, 100000))

    def make(first="Grace", surname="Hopper", code=None, email=None, **attrs):
        n = next(counter)
        gender = db.session.scalar(select(Gender).where(Gender.code == "U"))
        person = Person(
            person_code=code or f"P{n:05}",
            first_name=first,
            surname=surname,
            known_as=first,
            full_name=f"{first} {surname}",
            legal_name=f"{first} {surname}",
            gender=gender,
            external_email=email,
            **{"date_of_birth": date(1990, 5, 17), **attrs},
        )
        db.session.add(person)
        db.session.commit()
        return person

    return make


@pytest.fixture
def make_employment(db):
    def make(person, company, hire_date=date(2026, 3, 2), termination_date=None):
        employment = Employment(
            person=person,
            company=company,
            employment_id=person.person_code,
            hire_date=hire_date,
            termination_date=termination_date,
        )
        db.session.add(employment)
        db.session.commit()
        return employment

    return make


@pytest.fixture
def make_task(db, make_process):
    definitions = []

    def make(person, assignee, status="open", due_date=None):
        if not definitions:
            definitions.append(make_process())
        task = Task(
            definition=definitions[0],
            person=person,
            assignee=assignee,
            status=status,
            due_date=due_date or date(2026, 3, 2),
        )
        db.session.add(task)
        db.session.commit()
        return task

    return make


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
def make_integration(db):
    """Create a CezanneHR integration, not authorised in Lever, with a known signature token."""

    def make(admin_user, company=None, signature_token=SIGNATURE_TOKEN):
        found = LeverIntegration(
            subdomain="CezanneHR",
            signature_token_encrypted=encrypt(signature_token),
            signature_token_last4=signature_token[-4:],
            admin_user_id=admin_user.id,
            default_company_id=company.id if company else None,
        )
        db.session.add(found)
        db.session.commit()
        return found

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
