"""Fixtures for the Lever simulator: an in-memory app, OAuth helpers, a webhook receiver."""

import pytest

from lever_cezanne.sandbox import create_app

from .helpers import FakeClock, Receiver, consent, exchange, make_config


@pytest.fixture
def sandbox_config() -> dict:
    """Config for sandbox_app; a test may override this fixture or edit it first."""
    return make_config()


@pytest.fixture
def sandbox_app(sandbox_config):
    """The simulator built from sandbox_config."""
    return create_app(sandbox_config)


@pytest.fixture
def store(sandbox_app):
    """The simulator's in-process store."""
    return sandbox_app.extensions["lever_sandbox"]


@pytest.fixture
def sandbox_client(sandbox_app):
    return sandbox_app.test_client()


@pytest.fixture
def clock(store):
    """Put the store on a hand-moved clock."""
    fake = FakeClock()
    store.clock = fake
    store.bucket.configure(store.settings["rate_limit"], store.settings["rate_burst"])
    return fake


@pytest.fixture
def get_code(sandbox_client):
    """Return a function running the consent flow to an authorization code."""

    def run(**overrides) -> str:
        return consent(sandbox_client, **overrides)["code"]

    return run


@pytest.fixture
def token_pair(sandbox_client, get_code):
    """Return a function giving a fresh token response body."""

    def run(**overrides) -> dict:
        response = exchange(sandbox_client, get_code(**overrides))
        assert response.status_code == 200, response.text
        return response.json

    return run


@pytest.fixture
def bearer(token_pair):
    """Authorization headers for a token with the default scopes."""
    return {"Authorization": f"Bearer {token_pair()['access_token']}"}


@pytest.fixture
def receiver(store):
    """A live receiver that the store's Candidate Hired webhook points at."""
    server = Receiver()
    store.set_webhook_url(server.url)
    yield server
    server.close()
