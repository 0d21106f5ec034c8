"""Errors with a lifecycle: resolved when the hire later completes, acknowledged by hand, and a
Retry now that is replaced by the fix (and refused) while the cause is still there."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.integration.activity import count_open_errors
from lever_cezanne.models import LogEntry, WebhookDelivery
from tests.lever.lever_helpers import authorise

pytestmark = pytest.mark.committed


def _errors(db):
    db.session.expire_all()
    return db.session.scalars(
        select(LogEntry).where(LogEntry.level == "error").order_by(LogEntry.id)
    ).all()


def _delivery(db, delivery_id):
    db.session.expire_all()
    return db.session.get(WebhookDelivery, delivery_id)


def _log_page(client, integration):
    return client.get(f"/integrations/lever/{integration.id}/log").get_data(as_text=True)


def _revoke(db, integration, lever_server):
    lever_server.store.revoke()
    integration.access_token_expires_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()


def _retry(client, integration, delivery_id):
    response = client.post(f"/integrations/lever/{integration.id}/deliveries/{delivery_id}/retry")
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_revoked_hire_offers_reauthorise_refuses_retry_then_resolves_when_retried(
    db, client, admin, login_as, integration, lever_server, add_candidate, send_hire, runner
):
    _revoke(db, integration, lever_server)
    send_hire(add_candidate("Grace Hopper"))
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.cause == "authorisation" and error.is_open_error
    login_as(admin)
    page = _log_page(client, integration)
    assert "Re-authorise</button>" in page and "Retry now</button>" not in page

    page = _retry(client, integration, error.delivery_id)
    assert "Not retried: Lever is not authorised for this integration" in page
    assert len(_errors(db)) == 1  # a refused retry writes no new Error row
    assert _delivery(db, error.delivery_id).status == "failed"

    authorise(integration)
    assert "Retry now</button>" in _log_page(client, integration)
    page = _retry(client, integration, error.delivery_id)
    assert "Retrying now" in page
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.resolved_at is not None
    assert error.resolved_how == "the hire completed when it was retried"
    assert count_open_errors(integration.id) == 0
    page = _log_page(client, integration)
    assert '<span class="badge badge-ok">Resolved</span>' in page
    assert "the hire completed when it was retried." in page


def test_an_error_resolves_when_lever_sends_the_hire_again(
    db, client, admin, login_as, integration, process, add_candidate, send_hire, runner
):
    process.active = False
    db.session.commit()
    opportunity_id = add_candidate("Katherine Johnson")
    send_hire(opportunity_id)
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.cause == "process" and "then press Retry now on this row" in error.message
    login_as(admin)
    page = _log_page(client, integration)
    assert "Open Processes</a>" in page and "Retry now</button>" not in page

    process.active = True
    db.session.commit()
    send_hire(opportunity_id)  # the candidate moved out of Hired and back: a new delivery
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.resolved_how == "the hire completed when Lever sent it again"


def test_retry_is_refused_while_the_default_company_is_inactive(
    db,
    client,
    admin,
    login_as,
    integration,
    company,
    make_company,
    add_candidate,
    send_hire,
    runner,
):
    company.active = False
    db.session.commit()
    send_hire(add_candidate("Mary Jackson"))
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.cause == "company" and _delivery(db, error.delivery_id).status == "partial"
    login_as(admin)
    page = _log_page(client, integration)
    assert "Choose another company</a>" in page

    page = _retry(client, integration, error.delivery_id)
    assert "Not retried: The New Hire Default Company ACME is inactive" in page
    assert len(_errors(db)) == 1

    integration.default_company = make_company(code="CEZ-IE")
    db.session.commit()
    _retry(client, integration, error.delivery_id)
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.resolved_at is not None
    assert _delivery(db, error.delivery_id).status == "completed"


def test_acknowledge_with_a_note_records_who_and_when(
    db, client, admin, login_as, integration, lever_server, add_candidate, send_hire, runner
):
    _revoke(db, integration, lever_server)
    send_hire(add_candidate())
    assert runner.wait_idle(15)
    [error] = _errors(db)
    login_as(admin)
    url = f"/integrations/lever/{integration.id}/log/{error.id}/acknowledge"
    response = client.post(url, data={"note": "  Lever admin is  on it  "})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    [error] = _errors(db)
    assert error.acknowledged_by_id == admin.id and error.acknowledged_at is not None
    assert error.acknowledgement_note == "Lever admin is on it"
    assert count_open_errors(integration.id) == 0
    assert "Error acknowledged" in page and "Acknowledged</span>" in page
    assert "by Dana Admin: “Lever admin is on it”" in page
    again = client.post(url, data={"note": ""})
    assert "already resolved or acknowledged" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert client.post(url, data={"note": "x" * 1001}).status_code == 302
    db.session.expire_all()
    assert _errors(db)[0].acknowledgement_note == "Lever admin is on it"


def test_a_lever_failure_names_the_candidate_the_app_already_knows(
    db, integration, lever_server, add_candidate, send_hire, runner
):
    opportunity_id = add_candidate("Dorothy Vaughan")
    send_hire(opportunity_id)
    assert runner.wait_idle(15)
    _revoke(db, integration, lever_server)
    send_hire(opportunity_id)
    assert runner.wait_idle(15)
    [error] = _errors(db)
    assert error.message.startswith(f"Dorothy Vaughan (opportunity {opportunity_id}): Lever access")
