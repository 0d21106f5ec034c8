"""Helpers the pipeline tests share: threads released together, Lever's files and notes, a
real worker process, the catch-up sync."""

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lever_cezanne import crypto
from lever_cezanne.deliveries import sync
from lever_cezanne.extensions import db as _db
from lever_cezanne.lever import oauth
from lever_cezanne.lever.tokens import store_tokens
from lever_cezanne.models import Document, SyncRun
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind
from tests.forked_cli import Completed, run_flask
from tests.lever.lever_helpers import CALLBACK, answer_consent

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL")
THREADS = 20


def needs_postgres(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        print("skipping: SQLite has no concurrent writers; set TEST_DATABASE_URL for PostgreSQL")
        pytest.skip("concurrent repeats are tested on PostgreSQL (set TEST_DATABASE_URL)")


def together(count, work):
    """Run work(i) on count threads released at the same moment; return results and errors."""
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(i):
        try:
            barrier.wait(10)
            results[i] = work(i)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def lever_file(lever_server, integration, path: str, params=None) -> requests.Response:
    """Download a file from the simulator over HTTP, as Lever serves it."""
    token = crypto.decrypt(integration.access_token_encrypted)
    response = requests.get(
        f"{lever_server.base_url}/v1{path}",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response


def lever_documents(lever_server, integration, opportunity_id) -> dict[str, bytes]:
    """Return Lever's signed offer letter and latest resume, by Document source."""
    candidate = lever_server.store.candidate(opportunity_id)
    offer_id = candidate["offers"][0]["id"]
    resume_id = candidate["resumes"][0]["id"]
    base = f"/opportunities/{opportunity_id}"
    return {
        "offer_letter": lever_file(
            lever_server, integration, f"{base}/offers/{offer_id}/download", {"status": "signed"}
        ).content,
        "resume": lever_file(
            lever_server, integration, f"{base}/resumes/{resume_id}/download"
        ).content,
    }


def stored(db) -> dict[str, Document]:
    db.session.expire_all()
    return {d.source: d for d in db.session.scalars(select(Document))}


NOTE_START = "Added to Cezanne HR as Person Code "


def authorise_with(db, integration, scopes):
    """Authorise the integration in the simulator with exactly these scopes."""
    query = answer_consent(oauth.authorization_url(CALLBACK, "state", tuple(scopes)))
    store_tokens(integration, oauth.exchange_code(query["code"], CALLBACK))
    db.session.commit()


def notes_in_lever(lever_server, opportunity_id) -> list[str]:
    return lever_server.store.candidate(opportunity_id)["notes"]


def note_values(lever_server, opportunity_id) -> list[str]:
    return [n["fields"][0]["value"] for n in notes_in_lever(lever_server, opportunity_id)]


def run_worker(app, lever_server, database_url) -> Completed:
    """Run `flask worker --burst` in its own process, configured only by environment variables
    (forked from this one, see forked_cli)."""
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
        "LEVER_SANDBOX_ENABLED": "0",
        "TIMEZONE": app.config["TIMEZONE"],
        **lever_server.app_config(),
    }
    return run_flask(["worker", "--burst"], env, cwd=str(ROOT), timeout=90)


def settle(db):
    db.session.commit()
    db.session.remove()  # no open transaction while the worker writes


def sync_now(integration, kind=SyncKind.MANUAL, since=None, final_attempt=True) -> SyncRun:
    run = sync.create_run(integration, kind, since or utcnow() - timedelta(hours=1))
    _db.session.commit()
    return sync.run_sync(run.id, final_attempt=final_attempt)


def lost_hires(lever_server, count) -> list[str]:
    ids = []
    for number in range(count):
        opportunity_id = lever_server.store.add_candidate(
            {
                "name": f"Lost Hire {number:02d}",
                "emails": [f"lost.{number}@example.com"],
                "phones": [{"type": "mobile", "value": f"+44 7700 900{number:03d}"}],
            }
        )
        lever_server.store.hire_without_webhook(opportunity_id)
        ids.append(opportunity_id)
    return ids
