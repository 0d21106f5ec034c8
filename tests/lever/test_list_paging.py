"""Listing hires from a Lever that misbehaves: a repeated id or a looping cursor stops the sync."""

import threading
from datetime import timedelta

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import select
from werkzeug.serving import make_server

from lever_cezanne.deliveries import sync
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind
from tests.lever.lever_helpers import new_integration

HIRED = "16308515-dc77-4aa7-b3af-96161b2b4e9b"


def _opportunity(number: int) -> dict:
    at = int((utcnow() - timedelta(minutes=5)).timestamp() * 1000)
    return {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "name": f"Paged {number}",
        "contact": f"10000000-0000-4000-8000-{number:012d}",
        "archived": {"reason": HIRED, "archivedAt": at},
    }


class BrokenLever:
    """A Lever API on 127.0.0.1 whose opportunity pages misbehave as `mode` says."""

    def __init__(self, mode: str):
        app = Flask("broken-lever")
        self.requests = 0

        @app.get("/v1/archive_reasons")
        def reasons():
            return jsonify(data=[{"id": HIRED, "text": "Hired", "type": "hired"}], hasNext=False)

        @app.get("/v1/opportunities")
        def opportunities():
            self.requests += 1
            page = int(request.args.get("offset", "0").split(".")[-1])
            if mode == "repeat":
                data = [_opportunity(1), _opportunity(2), _opportunity(1)]
                return jsonify(data=data, hasNext=False)
            if mode == "loop":  # new ids on every page, but the cursor goes 1 -> 2 -> 1 -> ...
                following = 1 + page % 2
                data = [_opportunity(self.requests)]
                return jsonify(data=data, hasNext=True, next=f"0.0.{following}")
            return jsonify(data=[_opportunity(page)], hasNext=True, next=f"0.0.{page + 1}")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def authorised(app, db, new_hire_admin, company):
    from lever_cezanne.crypto import encrypt
    from lever_cezanne.models.integration import AUTH_AUTHORISED

    integration = new_integration(new_hire_admin, company)
    integration.auth_status = AUTH_AUTHORISED
    integration.authorised_at = utcnow()
    integration.access_token_encrypted = encrypt("an-access-token")
    integration.refresh_token_encrypted = encrypt("a-refresh-token")
    integration.access_token_expires_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    return integration


@pytest.mark.parametrize(
    ("mode", "words"),
    [("repeat", "listed opportunity 00000000-0000-4000-8000-000000000001 twice"),
     ("loop", "same page cursor twice")],
)  # fmt: skip
def test_a_misbehaving_list_stops_with_one_warning(app, db, authorised, mode, words):
    lever = BrokenLever(mode)
    app.config["LEVER_API_URL"] = lever.url
    try:
        run = sync.create_run(authorised, SyncKind.MANUAL, utcnow() - timedelta(hours=1))
        db.session.commit()
        run = sync.run_sync(run.id)
    finally:
        lever.close()
    assert run.status == "failed" and words in run.message
    assert lever.requests <= 3  # stopped, not looped
    [row] = db.session.scalars(select(LogEntry)).all()
    assert row.level == "warning" and words in row.message
    assert db.session.scalars(select(WebhookDelivery)).all() == []
