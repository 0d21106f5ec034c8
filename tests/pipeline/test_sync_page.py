"""The Details tab's catch-up sync: Sync now, Import hires made since [date], progress, status."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.crypto import encrypt
from lever_cezanne.models import LeverIntegration, LogEntry, Person, SyncRun
from lever_cezanne.models.base import utcnow


def _details(client, integration) -> str:
    return client.get(f"/integrations/lever/{integration.id}/details").get_data(as_text=True)


def _wait_for_run(db, timeout=30) -> SyncRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        run = db.session.scalar(select(SyncRun).order_by(SyncRun.id.desc()))
        if run is not None and run.status != "running":
            return run
        time.sleep(0.1)
    raise AssertionError("the sync did not finish")


def _lost_hire(lever_server, name):
    email = f"{name.lower().replace(' ', '.')}@example.com"
    opportunity_id = lever_server.store.add_candidate({"name": name, "emails": [email]})
    lever_server.store.hire_without_webhook(opportunity_id)


@pytest.mark.committed
def test_sync_now_finds_a_lost_hire_and_the_page_says_so(
    db, client, admin, login_as, csrf_token_from, integration, lever_server, runner
):
    integration.authorised_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login_as(admin)
    page = _details(client, integration)
    assert "Catch-up sync" in page and "None yet." in page and "Sync now" in page
    _lost_hire(lever_server, "Krystal Goderitch")
    response = client.post(
        f"/integrations/lever/{integration.id}/sync",
        data={"csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert "Sync started" in response.get_data(as_text=True)
    run = _wait_for_run(db)
    assert (run.kind, run.status, run.stored, run.started_by_id) == (
        "manual",
        "succeeded",
        1,
        admin.id,
    )
    assert runner.wait_idle(30)
    assert db.session.scalars(select(Person.full_name)).all() == ["Krystal Goderitch"]
    page = _details(client, integration)
    assert "(Sync now):" in page and "Found 1 hires in Lever: 1 stored, 0 already stored." in page
    assert "Next sync" in page and "Around" in page
    log = client.get(f"/integrations/lever/{integration.id}/log").get_data(as_text=True)
    assert "found by the catch-up sync; Lever&#39;s webhook did not arrive" in log


@pytest.mark.committed
def test_import_defaults_to_thirty_days_and_writes_one_row(
    db, client, admin, login_as, csrf_token_from, integration, lever_server, runner
):
    login_as(admin)
    page = _details(client, integration)
    default = (utcnow().date() - timedelta(days=30)).isoformat()
    assert "Import hires made since" in page and f'value="{default}"' in page
    _lost_hire(lever_server, "Sarah Manning")
    _lost_hire(lever_server, "Tony Sawicki")
    response = client.post(
        f"/integrations/lever/{integration.id}/import",
        data={"csrf_token": csrf_token_from(page), "since": default},
        follow_redirects=True,
    )
    assert "Importing hires made since" in response.get_data(as_text=True)
    run = _wait_for_run(db)
    assert (run.kind, run.total, run.seen, run.stored) == ("backfill", 2, 2, 2)
    assert runner.wait_idle(30)
    [row] = db.session.scalars(select(LogEntry.message).where(LogEntry.message.startswith("Imp")))
    day = f"{utcnow().date() - timedelta(days=30):%d %B %Y}".lstrip("0")
    assert row == f"Imported 2 hires made since {day}; 0 were already in Cezanne HR"


def test_import_refuses_a_future_or_unparseable_day(
    db, client, admin, login_as, csrf_token_from, integration
):
    login_as(admin)
    token = csrf_token_from(_details(client, integration))
    url = f"/integrations/lever/{integration.id}/import"
    tomorrow = (utcnow().date() + timedelta(days=2)).isoformat()
    future = client.post(url, data={"csrf_token": token, "since": tomorrow}, follow_redirects=True)
    assert "That day is in the future" in future.get_data(as_text=True)
    bad = client.post(url, data={"csrf_token": token, "since": "last week"}, follow_redirects=True)
    assert "Enter a date" in bad.get_data(as_text=True)
    assert db.session.scalars(select(SyncRun)).all() == []


def test_sync_is_refused_while_paused_or_not_authorised(
    db, client, admin, login_as, csrf_token_from, integration
):
    login_as(admin)
    token = csrf_token_from(_details(client, integration))
    integration.paused_at = utcnow()
    db.session.commit()
    page = _details(client, integration)
    assert "Paused: no sync runs until you press Resume." in page
    assert "Sync now" not in page
    paused = client.post(
        f"/integrations/lever/{integration.id}/sync",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "paused, so Lever is not called" in paused.get_data(as_text=True)
    assert db.session.scalars(select(SyncRun)).all() == []


def test_a_running_import_shows_its_progress(db, client, admin, login_as, integration):
    from lever_cezanne.deliveries import sync
    from lever_cezanne.models.integration import SyncKind

    run = sync.create_run(integration, SyncKind.BACKFILL, utcnow() - timedelta(days=30))
    run.total, run.seen, run.stored = 120, 50, 12
    db.session.commit()
    login_as(admin)
    page = _details(client, integration)
    assert "50 of 120 opportunities seen, 12 hires stored" in page
    assert "Sync now" not in page  # one sync at a time


def test_a_running_syncs_progress_is_served_as_json_to_signed_in_users(
    db, client, hr_user, login_as, integration, new_hire_admin
):
    from lever_cezanne.deliveries import sync
    from lever_cezanne.models.integration import SyncKind

    run = sync.create_run(integration, SyncKind.BACKFILL, utcnow() - timedelta(days=30))
    db.session.commit()
    url = f"/integrations/lever/{integration.id}/sync-runs/{run.id}"
    assert client.get(url).status_code in (302, 401)  # signed out: the login guard
    login_as(hr_user)  # the read-only Details page's guard: any signed-in HR professional
    page = client.get(f"/integrations/lever/{integration.id}").get_data(as_text=True)
    assert f'data-progress-url="{url}"' in page and 'aria-live="polite"' in page
    assert "js/progress.js" in page and "Refresh</a>" in page
    answer = client.get(url)
    assert answer.status_code == 200 and answer.is_json
    assert answer.json == {
        "status": "running",
        "finished": False,
        "total": None,
        "seen": 0,
        "stored": 0,
        "skipped": 0,
        "text": "reading the list from Lever…",
    }
    run.total, run.seen, run.stored, run.skipped = 120, 50, 1, 3
    db.session.commit()
    assert client.get(url).json["text"] == "50 of 120 opportunities seen, 1 hire stored…"
    run.status, run.message = "succeeded", "Found 120 hires in Lever: 117 stored, 3 already stored."
    db.session.commit()
    done = client.get(url).json
    assert done["finished"] is True and done["status"] == "succeeded"
    assert done["text"] == "finished. Found 120 hires in Lever: 117 stored, 3 already stored."
    assert 'data-progress-url="' not in _details(client, integration)  # nothing left to update
    # Another integration's run, or an unknown one, is not found.
    assert (
        client.get(f"/integrations/lever/{integration.id}/sync-runs/{run.id + 99}").status_code
        == 404
    )
    other = LeverIntegration(
        subdomain="OtherCo",
        signature_token_encrypted=encrypt("other-signature-token-0123456789"),
        signature_token_last4="6789",
        admin_user_id=new_hire_admin.id,
    )
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/integrations/lever/{other.id}/sync-runs/{run.id}").status_code == 404
