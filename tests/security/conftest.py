"""Security fixtures: URL samples for route sweeps, and a full hire through the Lever simulator."""

import re
from dataclasses import dataclass

import pytest

from lever_cezanne import crypto, extensions
from lever_cezanne.models import LeverIntegration
from tests.chaos.stack import Served
from tests.lever.lever_helpers import authorise, new_integration

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def sample_url(rule) -> str:
    """Fill every URL variable with a plausible value."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def app_routes(app, methods):
    """(rule, method) for every route but static files and the public webhook receiver."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] == "webhooks":
            continue
        for method in sorted(rule.methods & set(methods)):
            yield rule, method


@dataclass
class Hiring:
    """An integration authorised in the simulator, whose webhooks reach our app over HTTP."""

    app: object
    store: object
    integration_id: int

    def tokens(self) -> dict:
        """The integration's OAuth tokens, in clear."""
        integration = crypto_row(self.integration_id)
        return {
            "access token": crypto.decrypt(integration.access_token_encrypted),
            "refresh token": crypto.decrypt(integration.refresh_token_encrypted),
        }

    def hire(self, name: str) -> dict:
        """Hire a candidate in Lever; wait until the job has run; return the delivery."""
        opportunity_id = self.store.add_candidate(
            {"name": name, "emails": [f"{name.split()[0].lower()}@example.com"]}
        )
        delivery = self.store.hire(opportunity_id)
        assert self.app.extensions["lever_jobs"].wait_idle(30), "the hire was not processed"
        return self.store.delivery(delivery["id"])


def crypto_row(integration_id: int) -> LeverIntegration:
    integration = extensions.db.session.get(LeverIntegration, integration_id)
    extensions.db.session.refresh(integration)
    return integration


@pytest.fixture
def hiring(app, db, lever_server, make_user, make_company, make_process):
    make_process()
    admin = make_user("hr", username="nina", display_name="Nina New-Hire")
    integration = authorise(new_integration(admin, make_company(code="ACME"), "CezanneHR"))
    receiver = Served(app)
    token = lever_server.store.webhook()["signature_token"]
    integration.signature_token_encrypted = crypto.encrypt(token)
    integration.signature_token_last4 = token[-4:]
    db.session.commit()
    lever_server.store.set_webhook_url(
        f"{receiver.base_url}/cezannehr/api/v4/Lever/webhook/CezanneHR"
    )
    yield Hiring(app, lever_server.store, integration.id)
    receiver.close()
    app.extensions["lever_jobs"].shutdown()
