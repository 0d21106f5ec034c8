"""Pipeline fixtures: an integration authorised against the Lever simulator, hires, and jobs."""

import json
import secrets
import time

import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from lever_cezanne.crypto import encrypt
from lever_cezanne.webhooks.signature import compute_signature
from tests.lever.lever_helpers import authorise

SIGNATURE_TOKEN = "pipeline-signature-token-0123456789abcdef01234567"


@pytest.fixture
def signature_token():
    return SIGNATURE_TOKEN


@pytest.fixture
def integration(integration, lever_server, process):
    """The integration, authorised in the simulator, with an active process."""
    return authorise(integration)


@pytest.fixture
def runner(app):
    """The app's in-process job runner; stopped after the test so no job outlives it."""
    found = app.extensions["lever_jobs"]
    yield found
    found.shutdown()


@pytest.fixture
def add_candidate(lever_server):
    def add(name="Cosima Niehaus", hired=True, **spec):
        spec.setdefault("emails", [f"{secrets.token_hex(4)}@example.com"])
        spec.setdefault("phones", [{"type": "mobile", "value": "+44 7700 900123"}])
        opportunity_id = lever_server.store.add_candidate({"name": name, **spec})
        if hired:
            lever_server.store.hire(opportunity_id)
        return opportunity_id

    return add


def now_ms() -> int:
    """The current time as Lever's triggeredAt: milliseconds since the epoch."""
    return int(time.time() * 1000)


def _body(opportunity_id, contact_id=None, token=None, triggered_at=None):
    token = token or secrets.token_hex(24)
    triggered_at = triggered_at or now_ms()
    return {
        "triggeredAt": triggered_at,
        "event": "candidateHired",
        "data": {
            "opportunityId": opportunity_id,
            "candidateId": opportunity_id,
            "contactId": contact_id or "contact",
        },
        "token": token,
        "signature": compute_signature(SIGNATURE_TOKEN, token, triggered_at),
    }


@pytest.fixture
def hired_body():
    """A signed Candidate Hired body for an opportunity (a fresh Lever token each call)."""
    return _body


@pytest.fixture
def send_hire(client, hired_body):
    """POST a signed Candidate Hired webhook for an opportunity and return the response."""

    def send(opportunity_id, body=None):
        return client.post(
            "/cezannehr/api/v4/Lever/webhook/CezanneHR",
            data=json.dumps(body or hired_body(opportunity_id)),
            content_type="application/json",
        )

    return send


class LiveApp:
    """Our app served over real HTTP on 127.0.0.1, for Lever's webhooks and concurrent clients."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self.webhook_url = f"{self.base_url}/cezannehr/api/v4/Lever/webhook/CezanneHR"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def live_app(app):
    server = LiveApp(app)
    yield server
    server.close()


@pytest.fixture
def lever_sends_webhooks(db, integration, lever_server, live_app):
    """Point the simulator's Candidate Hired webhook at our receiver, with matching tokens."""
    lever_server.store.set_webhook_url(live_app.webhook_url)
    token = lever_server.store.webhook()["signature_token"]
    integration.signature_token_encrypted = encrypt(token)
    integration.signature_token_last4 = token[-4:]
    db.session.commit()
    return lever_server.store


@pytest.fixture
def plain_integration(make_integration, company, new_hire_admin):
    """An integration that is not authorised in Lever: enough for the Log tab."""
    return make_integration(new_hire_admin, company, SIGNATURE_TOKEN)


FULL_OFFER = {
    "status": "signed",
    "start_in_days": 30,
    "title": "Payroll Specialist",
    "salary": 42000,
    "currency": "GBP",
    "interval": "per-year-salary",
    "team": "Payroll",
    "office": "London",
    "direct_manager": "sam.admin@sandbox.example",
}


@pytest.fixture
def organisation(db, make_company):
    """A department, a location and a manager that match the simulator's FULL_OFFER."""
    from datetime import date

    from sqlalchemy import select

    from lever_cezanne.models import Department, Gender, Location, Person

    payroll = Department(code="PAY", name="Payroll")
    london = Location(code="LON", name="London")
    sam = Person(
        person_code="P-SAM",
        first_name="Sam",
        surname="Admin",
        known_as="Sam",
        full_name="Sam Admin",
        legal_name="Sam Admin",
        gender=db.session.scalar(select(Gender)),
        date_of_birth=date(1980, 1, 1),
        external_email="Sam.Admin@sandbox.example",
    )
    db.session.add_all([payroll, london, sam])
    db.session.commit()
    return {"department": payroll, "location": london, "manager": sam}


@pytest.fixture
def redis_queue(redis_app):
    """The RQ queue of hires, on an empty Redis database, through a connection of its own (a test
    may close the app's to take Redis down)."""
    connection = Redis.from_url(redis_app.config["REDIS_URL"])
    yield Queue("lever", connection=connection, serializer=JSONSerializer)
    connection.close()
