"""Alerts: causes at once and once a day, an hourly digest of new errors, new task e-mails."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.mail import alerts
from lever_cezanne.models import OutboxMail
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_NEEDS_REAUTHORISATION
from tests.mail.conftest import parts

ALERTS_TO = "ops@example.com,hr.lead@example.com"


@pytest.fixture
def watched(db, make_integration, company, new_hire_admin, process):
    integration = make_integration(new_hire_admin, company)
    integration.alert_emails = ALERTS_TO
    db.session.commit()
    return integration


def _outbox(db, kind):
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
    ).all()


@pytest.mark.committed
def test_needs_reauthorisation_alerts_at_once_then_once_a_day(db, inbox, watched, monkeypatch):
    watched.auth_status = AUTH_NEEDS_REAUTHORISATION
    db.session.commit()
    alerts.check_alerts()
    recipients, message = inbox.wait_for(1)[0]
    assert sorted(recipients) == ["hr.lead@example.com", "ops@example.com"]
    assert message["Subject"] == "Lever integration CezanneHR needs re-authorisation"
    text, html = parts(message)
    link = f"https://hr.example.com/integrations/lever/{watched.id}/details#connection-heading"
    assert "Re-authorise" in text and link in text and link in html
    alerts.check_alerts()
    alerts.check_alerts()
    assert len(_outbox(db, alerts.KIND_CAUSE)) == 1  # the same cause, the same day

    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr(alerts, "today_in", lambda timezone: tomorrow)
    alerts.check_alerts()
    inbox.wait_for(2)
    assert len(_outbox(db, alerts.KIND_CAUSE)) == 2


@pytest.mark.committed
def test_a_setting_that_makes_hires_fail_alerts_with_its_fix(db, inbox, watched, company):
    company.active = False
    db.session.commit()
    alerts.check_alerts()
    _, message = inbox.wait_for(1)[0]
    assert message["Subject"] == "Lever integration CezanneHR: hires are failing"
    text, html = parts(message)
    assert "The New Hire Default Company ACME is inactive" in text
    fix = f"https://hr.example.com/integrations/lever/{watched.id}/details#company_code"
    assert f"Choose another company — {fix}" in text and f'href="{fix}"' in html
    alerts.check_alerts()
    assert len(_outbox(db, alerts.KIND_CAUSE)) == 1
    # Fixed, then broken again the same day: still once a day for that cause.
    company.active = True
    db.session.commit()
    alerts.check_alerts()
    company.active = False
    db.session.commit()
    alerts.check_alerts()
    assert len(_outbox(db, alerts.KIND_CAUSE)) == 1


def test_no_alert_e_mails_means_no_alerts(db, inbox, make_integration, company, new_hire_admin):
    integration = make_integration(new_hire_admin, company)
    integration.auth_status = AUTH_NEEDS_REAUTHORISATION
    add_log_entry(integration.id, "error", "Failed")
    db.session.commit()
    alerts.check_alerts()
    assert _outbox(db, alerts.KIND_CAUSE) == [] and _outbox(db, alerts.KIND_DIGEST) == []


def _error(db, integration, person, message, opportunity_id, delivery_id=None):
    add_log_entry(
        integration.id,
        "error",
        message,
        person_id=person.id,
        opportunity_id=opportunity_id,
        delivery_id=delivery_id,
    )
    db.session.commit()


def _delivery(db, integration, opportunity_id):
    from lever_cezanne.models import WebhookDelivery

    delivery = WebhookDelivery(
        integration_id=integration.id,
        token_hash=opportunity_id.ljust(64, "0"),
        event="candidateHired",
        opportunity_id=opportunity_id,
        triggered_at=1700000000123,
        payload="{}",
        status="partial",
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


@pytest.mark.committed
def test_new_errors_come_as_a_digest_at_most_once_an_hour(db, inbox, watched, make_person):
    ada = make_person("Ada", "Lovelace")
    mary = make_person("Mary", "Jackson")
    add_log_entry(watched.id, "information", "A hire that went well")
    ada_hire = _delivery(db, watched, "opp-ada").id
    _error(db, watched, ada, "Employment Details were not created for Ada.", "opp-ada", ada_hire)
    _error(db, watched, ada, "No New Starter task was created for Ada.", "opp-ada", ada_hire)
    _error(db, watched, mary, "No New Starter task was created for Mary.", "opp-mary")
    alerts.check_alerts()
    _, message = inbox.wait_for(1)[0]
    assert message["Subject"] == "Lever integration CezanneHR: 2 failed hires"
    text, html = parts(message)
    # One line per failed hire, with every reason it failed.
    assert text.count("Ada Lovelace") == 1
    assert (
        "Ada Lovelace: Employment Details were not created for Ada. No New Starter task was "
        "created for Ada." in text
    )
    log = f"https://hr.example.com/integrations/lever/{watched.id}/log"
    for name, opportunity in (("Ada Lovelace", "opp-ada"), ("Mary Jackson", "opp-mary")):
        assert name in text and f"{log}?q={opportunity}" in text
        assert f'href="{log}?q={opportunity}"' in html
    assert "went well" not in text

    grace = make_person("Grace", "Hopper")
    _error(db, watched, grace, "Grace failed.", "opp-grace")
    alerts.check_alerts()
    assert len(_outbox(db, alerts.KIND_DIGEST)) == 1  # within the hour: it waits

    first = _outbox(db, alerts.KIND_DIGEST)[0]
    first.created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    alerts.check_alerts()
    _, second = inbox.wait_for(2)[1]
    text, _ = parts(second)
    assert second["Subject"] == "Lever integration CezanneHR: 1 failed hire"
    assert "Grace Hopper" in text and "Ada Lovelace" not in text
    alerts.check_alerts()
    assert len(_outbox(db, alerts.KIND_DIGEST)) == 2


@pytest.mark.committed
def test_a_new_task_e_mails_its_new_hire_administrator(
    db, inbox, integration, make_delivery, starter, process, new_hire_admin
):
    from lever_cezanne.models import Task
    from lever_cezanne.onboarding.rules import start_new_starter

    new_hire_admin.email = "nina@example.com"
    db.session.commit()
    start_new_starter(integration, make_delivery(), starter(name="Zoë Bright"))
    recipients, message = inbox.wait_for(1)[0]
    task = db.session.scalar(select(Task))
    assert recipients == ["nina@example.com"]
    assert message["Subject"] == "New Starter task: Zoë Bright"
    text, html = parts(message)
    assert "Zoë Bright" in text and f"https://hr.example.com/tasks/{task.id}" in text
    assert f'href="https://hr.example.com/tasks/{task.id}"' in html
    # A re-trigger finds the task and sends nothing more.
    start_new_starter(integration, make_delivery(), starter(name="Zoë Bright"))
    assert len(_outbox(db, alerts.KIND_TASK)) == 1


def test_a_new_task_of_an_administrator_without_an_address_renders_no_mail(
    db, integration, make_delivery, starter, process, new_hire_admin, monkeypatch
):
    from lever_cezanne.onboarding.rules import start_new_starter

    new_hire_admin.email = None
    db.session.commit()
    rendered = []
    monkeypatch.setattr(alerts, "_render", lambda *args, **kwargs: rendered.append(args))
    outcome = start_new_starter(integration, make_delivery(), starter(name="Zoë Bright"))
    assert outcome.person_id is not None and outcome.errors == 0  # the task is made all the same
    assert rendered == [] and _outbox(db, alerts.KIND_TASK) == []


@pytest.mark.committed
def test_no_secret_reaches_an_e_mail(db, inbox, watched):
    from lever_cezanne.crypto import encrypt

    watched.access_token_encrypted = encrypt("access-token-secret")
    watched.refresh_token_encrypted = encrypt("refresh-token-secret")
    watched.auth_status = AUTH_NEEDS_REAUTHORISATION
    db.session.commit()
    alerts.check_alerts()
    _, message = inbox.wait_for(1)[0]
    raw = message.as_string()
    for secret in ("access-token-secret", "refresh-token-secret", "signature-token"):
        assert secret not in raw
    assert watched.signature_token_encrypted not in raw


@pytest.mark.committed
def test_reassigning_a_task_e_mails_the_new_owner_once_committed(
    db, client, inbox, hr_user, make_user, login_as, make_person, make_task
):
    sam = make_user("hr", username="sam", display_name="Sam Carter", email="sam@example.com")
    task = make_task(make_person("Zoë", "Bright"), hr_user)
    login_as(hr_user)

    response = client.post(f"/tasks/{task.id}/reassign", data={"assignee": sam.id})

    assert response.status_code == 302
    recipients, message = inbox.wait_for(1)[0]
    assert recipients == ["sam@example.com"]
    assert message["Subject"] == "New Starter task reassigned to you: Zoë Bright"
    text, _ = parts(message)
    assert "Alex Morgan assigned you the New Starter task for Zoë Bright" in text
    assert f"https://hr.example.com/tasks/{task.id}" in text
    assert len(_outbox(db, alerts.KIND_REASSIGNED)) == 1
