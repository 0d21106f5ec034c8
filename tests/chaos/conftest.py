"""The chaos stack: a private database and redis-server, the Lever simulator, receiver, workers."""

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from lever_cezanne import create_app
from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.crypto import encrypt
from lever_cezanne.demo import ensure_gender_not_known
from lever_cezanne.extensions import db
from lever_cezanne.org.services import create_company
from lever_cezanne.processes.definition_services import create_process_definition
from lever_cezanne.sandbox import create_app as create_sandbox
from tests.chaos.stack import (
    PrivateRedis,
    Served,
    Workers,
    private_database,
    require_postgres_and_redis_server,
    sqlalchemy_url,
)
from tests.lever.lever_helpers import CALLBACK, authorise, new_integration

CLIENT_ID = "lever-cezanne-chaos"
CLIENT_SECRET = "chaos-client-secret-9f1c2e7d5b3a"
SUBDOMAIN = "CezanneHR"
# The chaos run's Lever answers 30 requests a second (burst 60), and the workers' own bucket is
# set to match, as an operator would for a raised limit: at Lever's usual 10 a second the run's
# ~1,050 calls alone would take 105 s. Pacing at the limit is tested by tests/lever and measured
# by the pipeline benchmark; here what matters is what the faults do.
CHAOS_RATE_LIMIT, CHAOS_RATE_BURST = 30, 60


def simulator_config(**overrides) -> dict:
    """Lever simulator settings: synchronous webhooks, our client, no seeded candidates."""
    return {
        "STATE_PATH": None,
        "WEBHOOK_SYNC": True,
        "WEBHOOK_RETRY_DELAYS": [0.05] * 5,
        "WEBHOOK_TIMEOUT": 10,
        "RATE_LIMIT": 10,
        "RATE_BURST": 20,
        "WEBHOOK_URL": "",
        "SECRET_KEY": "sandbox-chaos",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": [CALLBACK],
        "SEED": False,
        "FAULT_SEED": 20261129,
        **overrides,
    }


def lever_endpoints(simulator: Served) -> dict:
    base = simulator.base_url
    return {
        "LEVER_AUTHORIZE_URL": f"{base}/authorize",
        "LEVER_TOKEN_URL": f"{base}/oauth/token",
        "LEVER_API_URL": f"{base}/v1",
        "LEVER_AUDIENCE": f"{base}/v1/",
        "LEVER_CLIENT_ID": CLIENT_ID,
        "LEVER_CLIENT_SECRET": CLIENT_SECRET,
    }


@dataclass
class ChaosStack:
    app: object
    store: object
    redis: PrivateRedis
    receiver: Served
    workers: Workers
    integration_id: int
    secrets: dict

    @property
    def webhook_url(self) -> str:
        return f"{self.receiver.base_url}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}"


def _seed(store) -> tuple[int, dict]:
    """Company, process, New Hire Administrator and an integration authorised in the simulator."""
    db.create_all()
    ensure_gender_not_known()
    admin = create_user("nina", "correct-horse-battery", "hr", "Nina New-Hire", None)
    company = create_company("ACME", "Acme Ltd", active=True)
    create_process_definition("Enter a New Starter", "with_absences", True)
    db.session.commit()
    integration = new_integration(admin, company, subdomain=SUBDOMAIN)
    authorise(integration)
    signature_token = store.webhook()["signature_token"]
    integration.signature_token_encrypted = encrypt(signature_token)
    integration.signature_token_last4 = signature_token[-4:]
    db.session.commit()
    return integration.id, {"signature_token": signature_token}


def _close_redis_clients(app, url: str) -> None:
    """Close the Redis connections the app and the rate limiter opened to our redis-server."""
    from lever_cezanne.lever import ratelimit

    opened = (app.extensions.pop("lever_redis", None), ratelimit._redis_clients.pop(url, None))
    for client in opened:
        if client is not None:
            client.close()


@pytest.fixture
def chaos_stack(tmp_path):
    """Everything the chaos run needs, owned by this test and torn down after it."""
    admin_url = require_postgres_and_redis_server()
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(private_database(admin_url))
        redis = PrivateRedis(tmp_path)
        redis.start()
        stack.callback(redis.stop)
        sandbox = create_sandbox(
            simulator_config(
                ACCESS_TOKEN_TTL=75,  # expires mid-run: the workers must refresh it
                LATENCY_MS=25,
                FAULT_500_RATE=0.0,
                RATE_LIMIT=CHAOS_RATE_LIMIT,
                RATE_BURST=CHAOS_RATE_BURST,
            )
        )
        simulator = Served(sandbox)
        stack.callback(simulator.close)
        store = sandbox.extensions["lever_sandbox"]
        key = Fernet.generate_key().decode()
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
            "REDIS_URL": redis.url,
            "SECRET_KEY": "chaos-secret-key",
            "ENCRYPTION_KEYS": [key],
            "LEVER_SANDBOX_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "TIMEZONE": "Europe/London",
            **lever_endpoints(simulator),
        }
        app = create_app(config)
        context = app.app_context()
        context.push()
        stack.callback(context.pop)
        stack.callback(lambda: db.engine.dispose())
        stack.callback(db.session.remove)
        integration_id, secrets_ = _seed(store)
        secrets_.update(encryption_key=key, client_secret=CLIENT_SECRET)
        receiver = Served(app)
        stack.callback(receiver.close)
        import os

        log_dir = Path(os.environ.get("LC_CHAOS_LOGS") or tmp_path) / "workers"
        log_dir.mkdir(exist_ok=True)
        env = {
            "APP_ENV": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "SECRET_KEY": config["SECRET_KEY"],
            "ENCRYPTION_KEYS": key,
            "LEVER_SANDBOX_ENABLED": "0",
            "LEVER_RATE_LIMIT": str(CHAOS_RATE_LIMIT),
            "LEVER_RATE_BURST": str(CHAOS_RATE_BURST),
            "TIMEZONE": config["TIMEZONE"],
            **lever_endpoints(simulator),
        }
        workers = Workers(env, log_dir, count=3)
        stack.callback(workers.stop_all)
        stack.callback(_close_redis_clients, app, redis.url)
        store.set_webhook_url(f"{receiver.base_url}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}")
        yield ChaosStack(app, store, redis, receiver, workers, integration_id, secrets_)
