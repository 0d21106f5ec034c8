"""flask lever sync SUBDOMAIN [--since YYYY-MM-DD]: prints what it found, fails loudly."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lever_cezanne.models import LogEntry, SyncRun, WebhookDelivery
from lever_cezanne.models.base import utcnow


def _hire_quietly(lever_server, name):
    email = f"{name.lower().replace(' ', '.')}@example.com"
    opportunity_id = lever_server.store.add_candidate({"name": name, "emails": [email]})
    lever_server.store.hire_without_webhook(opportunity_id)
    return opportunity_id


@pytest.mark.committed
def test_sync_prints_found_stored_and_skipped(app, db, integration, lever_server, runner):
    _hire_quietly(lever_server, "Beth Childs")
    _hire_quietly(lever_server, "Alison Hendrix")
    cli = app.test_cli_runner()
    first = cli.invoke(args=["lever", "sync", "cezannehr"])
    assert first.exit_code == 0, first.output
    assert "Found 2 hires: 2 stored (now being processed), 0 skipped" in first.output
    assert runner.wait_idle(30)
    week_ago = (utcnow() - timedelta(days=7)).date().isoformat()
    second = cli.invoke(args=["lever", "sync", "CezanneHR", "--since", week_ago])
    assert second.exit_code == 0, second.output
    assert "Found 2 hires: 0 stored (now being processed), 2 skipped" in second.output
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
    kinds = db.session.scalars(select(SyncRun.kind).order_by(SyncRun.id)).all()
    assert kinds == ["cli", "backfill"]


def test_since_in_the_future_or_unparseable_is_a_clear_error(app, db, integration):
    cli = app.test_cli_runner()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    future = cli.invoke(args=["lever", "sync", "CezanneHR", "--since", tomorrow])
    assert future.exit_code == 2 and f"{tomorrow} is in the future" in future.output
    for bad in ("yesterday", "2026-13-01", "01/11/2026"):
        result = cli.invoke(args=["lever", "sync", "CezanneHR", "--since", bad])
        assert result.exit_code == 2, result.output
        assert "give it as YYYY-MM-DD" in result.output
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_unknown_subdomain_and_failures_exit_non_zero(app, db, integration, lever_server):
    cli = app.test_cli_runner()
    unknown = cli.invoke(args=["lever", "sync", "nobody"])
    assert unknown.exit_code == 1 and "No Lever integration has the subdomain" in unknown.output
    lever_server.store.revoke()
    failed = cli.invoke(args=["lever", "sync", "CezanneHR"])
    assert failed.exit_code == 1
    assert "The sync failed" in failed.output and "re-authorise" in failed.output
    assert "access_token" not in failed.output.lower()
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 1
