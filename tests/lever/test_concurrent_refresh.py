"""Four workers find the access token expired at once: exactly one refresh reaches Lever."""

import threading
from datetime import timedelta

import pytest

from lever_cezanne import crypto
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.models.base import utcnow

pytestmark = pytest.mark.committed


def test_four_concurrent_refreshes_make_one_token_call(app, db, lever_server, authorised):
    if db.engine.dialect.name != "postgresql":
        print("skipped: needs PostgreSQL's SELECT ... FOR UPDATE (set TEST_DATABASE_URL)")
        pytest.skip("needs PostgreSQL row locks (set TEST_DATABASE_URL)")
    authorised.access_token_expires_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    integration_id = authorised.id  # read here: the main thread's session is not thread-safe
    start = threading.Barrier(4)
    results, errors = [], []

    def worker():
        with app.app_context():  # each thread: its own app context, session and connection
            try:
                client = LeverClient.for_integration(integration_id)
                start.wait(timeout=10)
                results.append(len(client.get_archive_reasons()))
            except Exception as exc:  # reported below: a thread cannot fail the test itself
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 4
    assert lever_server.store.counters["token_calls_refresh_token"] == 1
    db.session.refresh(authorised)
    assert crypto.decrypt(authorised.access_token_encrypted)
    assert authorised.access_token_expires_at > utcnow()
