"""Each integration state and each settings warning, derived from what the app knows."""

from datetime import timedelta

import pytest

from lever_cezanne.integration.activity import activity_of
from lever_cezanne.integration.state import State, WarningCode, integration_state, setting_warnings
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    AUTH_AUTHORISED,
    AUTH_NEEDS_REAUTHORISATION,
    LEVEL_ERROR,
    DeliveryStatus,
)
from tests.lever.lever_helpers import new_integration


@pytest.fixture
def ready(db, hr_user, company, process):
    """An authorised integration whose settings are all valid (no tokens needed to derive state)."""
    return new_integration(hr_user, company, auth_status=AUTH_AUTHORISED, authorised_at=utcnow())


def _delivery(db, integration, status=DeliveryStatus.COMPLETED, n=1, **values):
    delivery = WebhookDelivery(
        integration_id=integration.id,
        token_hash=f"{n:064d}",
        event="candidateHired",
        opportunity_id=f"opp-{n}",
        triggered_at=1700000000000 + n,
        payload="{}",
        status=status,
        **values,
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def _state(integration):
    return integration_state(integration, activity_of(integration.id))


def _codes(integration):
    return [w.code for w in setting_warnings(integration)]


def test_authorised_and_valid_but_no_webhook_yet_is_waiting_for_first_webhook(ready):
    state = _state(ready)
    assert state.state == State.WAITING_FOR_FIRST_WEBHOOK
    assert state.label == "Waiting for first webhook"
    assert "no webhook has arrived" in state.why


def test_a_webhook_and_no_open_errors_is_healthy(db, ready):
    _delivery(db, ready)
    state = _state(ready)
    assert (state.state, state.badge) == (State.HEALTHY, "badge-ok")


def test_an_open_error_needs_attention_until_acknowledged_or_resolved(db, ready, admin):
    delivery = _delivery(db, ready)
    entry = db.session.get(
        LogEntry, add_log_entry(ready.id, LEVEL_ERROR, "boom", delivery_id=delivery.id)
    )
    db.session.commit()
    state = _state(ready)
    assert state.state == State.NEEDS_ATTENTION and "1 open error on the Log tab." in state.why

    entry.acknowledged_at, entry.acknowledged_by = utcnow(), admin
    db.session.commit()
    assert _state(ready).state == State.HEALTHY
    entry.acknowledged_at, entry.resolved_at = None, utcnow()
    db.session.commit()
    assert _state(ready).state == State.HEALTHY


def test_revoked_access_needs_reauthorisation(db, ready):
    ready.auth_status = AUTH_NEEDS_REAUTHORISATION
    db.session.commit()
    state = _state(ready)
    assert (state.state, state.label) == (State.NEEDS_REAUTHORISATION, "Needs re-authorisation")
    assert "Re-authorise" in state.why


def test_never_authorised_needs_attention_and_says_to_authorise(hr_user, company, process):
    integration = new_integration(hr_user, company)
    state = _state(integration)
    assert state.state == State.NEEDS_ATTENTION
    assert "not been authorised yet" in state.why


def test_paused_says_how_many_webhooks_wait(db, ready, admin):
    ready.paused_at, ready.paused_by = utcnow(), admin
    _delivery(db, ready, DeliveryStatus.HELD, 1)
    _delivery(db, ready, DeliveryStatus.HELD, 2)
    state = _state(ready)
    assert state.state == State.PAUSED and "2 webhooks waiting" in state.why


def test_valid_settings_have_no_warnings(ready):
    assert setting_warnings(ready) == []


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda i: setattr(i.default_company, "active", False), "company", "CEZ-UK is inactive"),
        (lambda i: setattr(i.default_company, "deleted_at", utcnow()), "company", "is deleted"),
        (lambda i: setattr(i.admin_user, "active", False), "admin", "Alex Morgan is inactive"),
        (lambda i: setattr(i.admin_user, "deleted_at", utcnow()), "admin", "has been deleted"),
        (lambda i: setattr(i.admin_user, "role", "employee"), "admin", "no longer an HR"),
    ],
)
def test_a_setting_that_makes_hires_fail_warns_and_needs_attention(db, ready, change, code, words):
    _delivery(db, ready)
    change(ready)
    db.session.commit()
    [warning] = setting_warnings(ready)
    expected = {
        "company": WarningCode.COMPANY_UNUSABLE,
        "admin": WarningCode.ADMINISTRATOR_UNUSABLE,
    }
    assert warning.code == expected[code] and warning.makes_hires_fail
    assert words in warning.message
    assert warning.fix_url.startswith(f"/integrations/lever/{ready.id}/details#")
    assert warning.fix_label in ("Choose another company", "Choose an administrator")
    state = _state(ready)
    assert state.state == State.NEEDS_ATTENTION and words in state.why


def test_no_active_new_starter_process_warns(db, ready, process):
    process.active = False
    db.session.commit()
    [warning] = setting_warnings(ready)
    assert warning.code == WarningCode.NO_ACTIVE_PROCESS
    assert warning.fix_url == "/admin/processes"


def test_authorisation_near_its_one_year_end_warns(db, ready):
    ready.authorised_at = utcnow() - timedelta(days=355)
    ready.refresh_token_issued_at = utcnow()
    db.session.commit()
    assert _codes(ready) == [WarningCode.AUTHORISATION_EXPIRING]
    ready.authorised_at = utcnow() - timedelta(days=300)
    db.session.commit()
    assert _codes(ready) == []


def test_refresh_token_idle_close_to_90_days_warns(db, ready):
    ready.refresh_token_issued_at = utcnow() - timedelta(days=80)
    db.session.commit()
    [warning] = setting_warnings(ready)
    assert warning.code == WarningCode.REFRESH_TOKEN_IDLE and not warning.makes_hires_fail
    assert "after 90 days unused" in warning.message
    ready.refresh_token_issued_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert _codes(ready) == []


def test_warnings_need_no_request(app, db, ready):
    """Background jobs (alert e-mails) ask for warnings with no request: links are still built."""
    ready.default_company.active = False
    db.session.commit()
    [warning] = setting_warnings(ready)
    assert warning.fix_url == f"/integrations/lever/{ready.id}/details#company_code"


def test_list_and_details_show_the_same_state_badge(client, db, admin, login_as, ready):
    ready.default_company.active = False
    db.session.commit()
    login_as(admin)
    listing = client.get("/integrations/lever/").get_data(as_text=True)
    details = client.get(f"/integrations/lever/{ready.id}/details").get_data(as_text=True)
    badge = 'data-state="needs_attention">Needs attention</span>'
    assert badge in listing and badge in details
    assert ">Authorised</span>" not in listing + details
    assert "Choose another company</a>" in details
