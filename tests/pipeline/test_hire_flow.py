"""A hire in Lever becomes a Person, Employment Details and a New Starter task."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lever_cezanne.core.dates import date_from_ms, today_in
from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.process import RetryLater, process_delivery
from lever_cezanne.models import Employment, LogEntry, Person, Salary, Task, WebhookDelivery
from lever_cezanne.models.integration import (
    AUTH_NEEDS_REAUTHORISATION,
    HIRE_DATE_OFFER,
    LEVEL_INFORMATION,
    LEVEL_WARNING,
)
from tests.pipeline.conftest import FULL_OFFER


def _log(db):
    db.session.expire_all()
    return db.session.scalars(select(LogEntry).order_by(LogEntry.id)).all()


def _delivery(db):
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


def _all(db, model):
    db.session.expire_all()
    return db.session.scalars(select(model)).all()


@pytest.mark.committed
def test_lever_webhook_over_http_ends_as_a_new_starter(
    app, db, integration, lever_sends_webhooks, add_candidate, runner, new_hire_admin, company
):
    phones = [
        {"type": "mobile", "value": "+44 7700 900123"},
        {"type": "work", "value": "020 7946 0000"},
        {"type": "skype", "value": "cosima.n"},
    ]
    opportunity_id = add_candidate(
        'Cosima "Cos" Niehaus', emails=["c.n@example.com"], phones=phones
    )
    sent = lever_sends_webhooks.delivery_log()[0]
    assert sent["status"] == "succeeded"
    assert [a["status_code"] for a in sent["attempts"]] == [200]
    assert runner.wait_idle(15)
    [person] = _all(db, Person)
    assert (person.first_name, person.surname, person.known_as) == ("Cosima", "Niehaus", "Cos")
    assert person.external_email == "c.n@example.com"
    assert person.mobile_number == "+44 7700 900123"
    assert person.work_number == person.home_number == "020 7946 0000"
    assert person.skype_name == "cosima.n"
    assert person.lever_opportunity_id == opportunity_id
    assert person.date_of_birth == today_in(app.config["TIMEZONE"])
    [employment] = _all(db, Employment)
    assert employment.company_id == company.id and employment.employment_id == person.person_code
    [task] = _all(db, Task)
    assert task.assignee_id == new_hire_admin.id
    assert _delivery(db).status == "completed"
    assert _log(db)[-1].message.startswith("New Starter Process started for Cosima Niehaus")


@pytest.mark.committed
def test_hire_date_comes_from_the_signed_offer_when_configured(
    app, db, integration, add_candidate, send_hire, runner
):
    integration.hire_date_source = HIRE_DATE_OFFER
    db.session.commit()
    start = int((datetime.now(UTC) + timedelta(days=30)).timestamp() * 1000)
    opportunity_id = add_candidate(offer={"status": "signed", "start_date": start})
    send_hire(opportunity_id)
    assert runner.wait_idle(15)
    [employment] = _all(db, Employment)
    assert employment.hire_date == date_from_ms(start, app.config["TIMEZONE"])


@pytest.mark.committed
def test_a_full_signed_offer_fills_the_job_and_salary(
    db, integration, organisation, add_candidate, send_hire, runner
):
    send_hire(add_candidate(offer=FULL_OFFER))
    assert runner.wait_idle(15)
    employment = next(e for e in _all(db, Employment) if e.person.person_code != "P-SAM")
    assert employment.job_title == "Payroll Specialist"
    assert employment.department_id == organisation["department"].id
    assert employment.location_id == organisation["location"].id
    assert employment.line_manager_id == organisation["manager"].id
    [salary] = _all(db, Salary)
    assert (salary.amount, salary.currency, salary.interval) == (Decimal("42000"), "GBP", "year")
    assert salary.effective_date == employment.hire_date
    assert [e.level for e in _log(db)] == [LEVEL_INFORMATION]


@pytest.mark.committed
def test_a_hire_follows_the_integrations_field_mapping_and_remembers_offer_fields(
    db, integration, organisation, add_candidate, send_hire, runner
):
    integration.field_map = {"department": ["custom_cost_centre"]}
    db.session.commit()
    offer = {**FULL_OFFER, "team": "Sales", "custom": {"cost_centre": "payroll"}}
    send_hire(add_candidate("Mapped Mandy", offer=offer))
    assert runner.wait_idle(15)
    [employment] = [e for e in _all(db, Employment) if e.person.full_name == "Mapped Mandy"]
    assert employment.department_id == organisation["department"].id
    assert [e.level for e in _log(db)] == [LEVEL_INFORMATION]
    db.session.refresh(integration)
    assert {"custom_cost_centre", "team", "location/office"} <= set(integration.offer_fields)


@pytest.mark.committed
def test_an_offer_that_does_not_map_leaves_fields_empty_with_warnings(
    db, integration, organisation, add_candidate, send_hire, runner
):
    offer = {
        **FULL_OFFER,
        "team": "Marketing",
        "currency": "XYZ",
        "direct_manager": "dora@sandbox.example",  # a Lever user with no person in Cezanne HR
    }
    send_hire(add_candidate("Wendy Warning", offer=offer))
    assert runner.wait_idle(15)
    [employment] = [e for e in _all(db, Employment) if e.person.full_name == "Wendy Warning"]
    assert employment.job_title == "Payroll Specialist"
    assert employment.location_id == organisation["location"].id
    assert employment.department_id is None and employment.line_manager_id is None
    assert _all(db, Salary) == []
    warnings = [e.message for e in _log(db) if e.level == LEVEL_WARNING]
    assert len(warnings) == 3, warnings
    assert any("'Marketing'" in w and "Add it under Departments" in w for w in warnings)
    assert any("'XYZ', which is not an ISO 4217 currency code" in w for w in warnings)
    assert any("Dora Departed (dora@sandbox.example)" in w for w in warnings)
    assert _delivery(db).status == "completed"


@pytest.mark.committed
def test_not_hired_opportunity_is_a_warning_and_creates_nothing(
    db, integration, add_candidate, send_hire, runner
):
    opportunity_id = add_candidate("Sarah Manning", hired=False)
    send_hire(opportunity_id)  # a forged or stale webhook: Lever says otherwise
    assert runner.wait_idle(15)
    assert _all(db, Person) == []
    [entry] = _log(db)
    assert entry.level == "warning" and "is not hired" in entry.message
    assert entry.opportunity_id == opportunity_id
    assert _delivery(db).status == "completed"


@pytest.mark.committed
def test_unknown_opportunity_is_an_error(db, integration, send_hire, runner):
    send_hire("00000000-0000-0000-0000-000000000000")
    assert runner.wait_idle(15)
    [entry] = _log(db)
    assert entry.level == "error"
    assert entry.message.startswith(
        "Opportunity 00000000-0000-0000-0000-000000000000 not found in Lever"
    )
    assert _delivery(db).status == "failed"


@pytest.mark.parametrize("odd", [".", ".."])
@pytest.mark.committed
def test_an_odd_opportunity_id_fails_without_calling_lever(
    db, integration, lever_server, send_hire, runner, odd
):
    """ "." or ".." once made the client call /v1/ or the opportunity list."""
    send_hire(odd)
    assert runner.wait_idle(15)
    [entry] = _log(db)
    assert entry.level == "error" and "named no valid opportunity id" in entry.message
    assert _delivery(db).status == "failed"
    assert lever_server.store.counters["api_calls"] == 0


@pytest.mark.committed
def test_revoked_access_fails_once_without_retry_and_says_how_to_fix(
    db, integration, lever_server, add_candidate, send_hire, runner
):
    opportunity_id = add_candidate()
    lever_server.store.revoke()
    integration.access_token_expires_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    send_hire(opportunity_id)
    assert runner.wait_idle(15)
    [entry] = _log(db)
    assert entry.level == "error"
    assert entry.message == (
        "Lever access was revoked or has expired: re-authorise under Integrations › Lever, "
        "then press Retry now."
    )
    delivery = _delivery(db)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert db.session.get(type(integration), integration.id).auth_status == (
        AUTH_NEEDS_REAUTHORISATION
    )


@pytest.mark.committed
def test_a_hire_before_lever_is_authorised_says_to_authorise_not_revoked(
    db, integration, send_hire, runner
):
    integration.auth_status = "not_authorised"
    integration.access_token_encrypted = integration.refresh_token_encrypted = None
    db.session.commit()
    send_hire("opportunity-before-authorising")
    assert runner.wait_idle(15)
    [entry] = _log(db)
    assert entry.level == "error"
    assert entry.message == (
        "Lever is not authorised for this integration: authorise it under Integrations › Lever, "
        "then press Retry now."
    )
    assert _delivery(db).status == "failed"


def test_token_expiry_mid_job_is_refreshed_and_the_hire_completes(
    db, integration, lever_server, add_candidate
):
    opportunity_id = add_candidate()
    integration.hire_date_source = HIRE_DATE_OFFER  # three calls: opportunity, reasons, offers
    integration.access_token_expires_at = datetime.now(UTC) + timedelta(seconds=30)
    db.session.commit()
    lever_server.store.set_access_token_ttl(1)
    refreshes = lever_server.store.counters["token_calls_refresh_token"]
    delivery = _stored_delivery(db, integration, opportunity_id)
    assert process_delivery(delivery.id) == "completed"
    assert lever_server.store.counters["token_calls_refresh_token"] > refreshes
    assert len(_all(db, Person)) == 1


def test_429_is_retried_then_succeeds(db, integration, lever_server, add_candidate):
    opportunity_id = add_candidate()
    delivery = _stored_delivery(db, integration, opportunity_id)
    lever_server.store.set_faults(fault_429_rate=1.0)
    try:
        process_delivery(delivery.id, final_attempt=False)
        raise AssertionError("a 429 must ask for a retry")
    except RetryLater:
        pass
    assert _delivery(db).status == "queued" and _all(db, LogEntry) == []
    lever_server.store.set_faults(fault_429_rate=0)
    assert process_delivery(delivery.id) == "completed"
    assert _delivery(db).attempts == 2 and len(_all(db, Person)) == 1


@pytest.mark.committed
def test_in_process_runner_backs_off_and_retries(
    db, integration, lever_server, add_candidate, send_hire, runner, monkeypatch
):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.3, 0.3, 0.3, 0.3, 0.3))
    lever_server.store.set_faults(fault_500_rate=1.0)
    send_hire(add_candidate())
    # Lever recovers once it has failed the first attempt (not after a fixed time: on a busy
    # machine every attempt could fall inside it).
    deadline = time.monotonic() + 15
    while lever_server.store.counters["faults_500"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    lever_server.store.set_faults(fault_500_rate=0)
    assert runner.wait_idle(15)
    delivery = _delivery(db)
    assert delivery.status == "completed" and delivery.attempts >= 2


def test_last_transient_attempt_fails_with_a_retry_now_row(
    db, integration, lever_server, add_candidate
):
    delivery = _stored_delivery(db, integration, add_candidate())
    lever_server.store.set_faults(fault_500_rate=1.0)
    assert process_delivery(delivery.id, final_attempt=True) == "failed"
    [entry] = _log(db)
    assert entry.level == "error" and "Retry now" in entry.message
    assert "having problems on its side" in entry.message


def test_completed_delivery_is_skipped_when_run_again(db, integration, add_candidate):
    delivery = _stored_delivery(db, integration, add_candidate())
    assert process_delivery(delivery.id) == "completed"
    assert process_delivery(delivery.id) is None
    assert _delivery(db).attempts == 1 and len(_all(db, Task)) == 1


def _stored_delivery(db, integration, opportunity_id):
    delivery = WebhookDelivery(
        integration_id=integration.id,
        token_hash=opportunity_id.replace("-", "")[:64].ljust(64, "0"),
        event="candidateHired",
        opportunity_id=opportunity_id,
        triggered_at=1700000000123,
        payload="{}",
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def test_unexpected_error_is_retried_then_fails_with_a_clear_row(
    db, integration, add_candidate, monkeypatch
):
    from lever_cezanne.deliveries import process as delivery_module

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(delivery_module, "map_new_starter", broken)
    delivery = _stored_delivery(db, integration, add_candidate())
    with pytest.raises(RetryLater):
        process_delivery(delivery.id, final_attempt=False)
    assert _delivery(db).status == "queued"
    assert process_delivery(delivery.id, final_attempt=True) == "failed"
    [entry] = _log(db)
    assert entry.level == "error"
    assert "unexpected problem" in entry.message and "Retry now" in entry.message
