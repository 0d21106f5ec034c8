"""Retry all failed: refused with the reason while it cannot succeed; runs in the background
with progress; skips the hires whose cause is still there."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.models import LogEntry, WebhookDelivery
from tests.lever.lever_helpers import authorise

pytestmark = pytest.mark.committed


def _statuses(db):
    db.session.expire_all()
    return [
        d.status for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    ]


def _press(client, integration):
    response = client.post(f"/integrations/lever/{integration.id}/retry-all")
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_retry_all_waits_for_the_fix_then_retries_every_failed_hire_with_progress(
    db, client, admin, login_as, integration, lever_server, add_candidate, send_hire, runner
):
    lever_server.store.revoke()
    integration.access_token_expires_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    for name in ("Ada One", "Ada Two", "Ada Three"):
        send_hire(add_candidate(name))
    assert runner.wait_idle(20)
    assert _statuses(db) == ["failed"] * 3
    login_as(admin)
    page = client.get(f"/integrations/lever/{integration.id}/log").get_data(as_text=True)
    assert "Retry all failed (3)</button>" in page

    page = _press(client, integration)
    assert "Not retried: Lever is not authorised" in page
    assert _statuses(db) == ["failed"] * 3

    authorise(integration)
    page = _press(client, integration)
    assert "Retrying 3 failed hires in the background." in page
    assert runner.wait_idle(30)
    assert _statuses(db) == ["completed"] * 3
    errors = db.session.scalars(select(LogEntry).where(LogEntry.level == "error")).all()
    assert len(errors) == 3 and all(e.resolved_at is not None for e in errors)

    page = client.get(f"/integrations/lever/{integration.id}/log").get_data(as_text=True)
    assert "3 of 3 done — 3 completed, 0 failed again." in page
    assert "/retry-all" not in page  # no button: nothing has failed any more
    run_url = page.split('data-progress-url="')[1].split('"')[0]
    assert client.get(run_url).get_json() == {
        "total": 3,
        "done": 3,
        "completed": 3,
        "failed": 0,
        "skipped": 0,
        "finished": True,
        "text": "3 of 3 done — 3 completed, 0 failed again.",
    }


def test_retry_all_skips_hires_whose_cause_is_still_there(
    db,
    client,
    admin,
    login_as,
    integration,
    company,
    add_candidate,
    send_hire,
    runner,
    monkeypatch,
):
    company.active = False
    db.session.commit()
    send_hire(add_candidate("Mary Jackson"))  # partial: no Employment Details (cause: company)
    send_hire("no-such-opportunity")  # failed: Lever does not know it (no fixable cause)
    assert runner.wait_idle(20)
    assert sorted(_statuses(db)) == ["failed", "partial"]
    login_as(admin)
    page = _press(client, integration)
    assert "Retrying 1 failed hire in the background. 1 skipped" in page
    assert runner.wait_idle(20)
    page = client.get(f"/integrations/lever/{integration.id}/log").get_data(as_text=True)
    assert "1 of 1 done — 0 completed, 1 failed again, 1 skipped (cause still there)." in page
