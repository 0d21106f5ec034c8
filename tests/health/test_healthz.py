"""GET /healthz: public JSON, 200 when the database answers, 503 when it does not."""

import json
import os
from datetime import timedelta

import pytest

from lever_cezanne import create_app
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.factories import SIGNATURE_TOKEN

REDIS_URL = os.environ.get("REDIS_URL")


def _delivery(integration, n, status, age_s):
    return WebhookDelivery(
        integration_id=integration.id,
        token_hash=f"{n:064d}",
        event="candidateHired",
        triggered_at=1,
        payload="{}",
        status=status,
        received_at=utcnow() - timedelta(seconds=age_s),
    )


def test_ok_without_login_with_the_backlog(client, db, admin, make_integration):
    integration = make_integration(admin)
    db.session.add_all(
        [
            _delivery(integration, 1, "received", 30),
            _delivery(integration, 2, "queued", 600),
            _delivery(integration, 3, "processing", 5000),  # a worker has it: not waiting
            _delivery(integration, 4, "completed", 9000),
        ]
    )
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == "not configured"
    assert body["queue_depth"] == 2
    assert 600 <= body["oldest_waiting_delivery_s"] < 700
    assert response.headers["Cache-Control"] == "no-store"
    assert SIGNATURE_TOKEN not in response.get_data(as_text=True)


def test_empty_backlog(client):
    body = client.get("/healthz").get_json()
    assert body["queue_depth"] == 0 and body["oldest_waiting_delivery_s"] is None


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis) to report it ok")
def test_redis_ok(app, client):
    app.config["REDIS_URL"] = REDIS_URL
    body = client.get("/healthz").get_json()
    assert body["redis"] == "ok" and body["status"] == "ok"


def test_redis_down_is_degraded_but_still_200(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {**body, "status": "degraded", "redis": "unreachable", "database": "ok"}


def test_database_down_is_503(base_config, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite'}"
    if base_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    app = create_app(base_config | {"SQLALCHEMY_DATABASE_URI": unreachable})
    with app.test_client() as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.data)
    assert body == {
        "status": "degraded",
        "database": "unreachable",
        "redis": "not configured",
        "queue_depth": None,
        "oldest_waiting_delivery_s": None,
    }
