"""Alert e-mails: the Details form field, the CLI options, and the MAIL_* settings."""

import pytest
from sqlalchemy import select

from lever_cezanne.config import ConfigError, load_config
from lever_cezanne.models import LeverIntegration
from tests.lever.lever_helpers import SIGNATURE_TOKEN


def _form(integration, **changes):
    data = {
        "subdomain": integration.subdomain,
        "signature_token": "",
        "admin_username": integration.admin_user.username,
        "company_code": integration.default_company.code,
        "hire_date_source": "today",
        "alert_emails": "",
    }
    return {**data, **changes}


@pytest.fixture
def plain(make_integration, company, new_hire_admin):
    return make_integration(new_hire_admin, company)


def test_details_form_saves_validated_alert_e_mails(db, client, admin, login_as, plain):
    login_as(admin)
    url = f"/integrations/lever/{plain.id}/details"
    response = client.post(
        url, data=_form(plain, alert_emails="Ops@Example.com, hr.lead@example.com;ops@example.com")
    )
    assert response.status_code == 302
    db.session.refresh(plain)
    assert plain.alert_emails == "Ops@example.com,hr.lead@example.com"
    assert 'value="Ops@example.com, hr.lead@example.com"' in client.get(url).get_data(as_text=True)


def test_details_form_refuses_a_bad_address_and_says_which(db, client, admin, login_as, plain):
    login_as(admin)
    response = client.post(
        f"/integrations/lever/{plain.id}/details",
        data=_form(plain, alert_emails="ops@example.com, not-an-address"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“not-an-address” is not an e-mail address" in html
    db.session.refresh(plain)
    assert plain.alert_emails is None


def _create(runner, *extra):
    return runner.invoke(
        args=[
            "lever", "integrations", "create", "--subdomain", "CezanneHR",
            "--signature-token", SIGNATURE_TOKEN, "--admin", "hr.alex", "--company", "acme",
            *extra,
        ]
    )  # fmt: skip


def test_cli_create_takes_repeated_alert_emails(app, db, hr_user, company):
    runner = app.test_cli_runner()
    result = _create(runner, "--alert-email", "ops@example.com", "--alert-email", "b@example.com")
    assert result.exit_code == 0, result.output
    integration = db.session.scalar(select(LeverIntegration))
    assert integration.alert_emails == "ops@example.com,b@example.com"
    listed = runner.invoke(args=["lever", "integrations", "list"]).output
    assert "alerts=ops@example.com,b@example.com" in listed


def test_cli_create_refuses_a_bad_alert_email(app, db, hr_user, company):
    result = _create(app.test_cli_runner(), "--alert-email", "nope")
    assert result.exit_code != 0 and "“nope” is not an e-mail address" in result.output
    assert db.session.scalar(select(LeverIntegration)) is None


def test_cli_set_alerts_replaces_and_clears(app, db, plain):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["lever", "integrations", "set-alerts", "cezannehr", "a@example.com", "b@example.com"]
    )
    assert result.exit_code == 0, result.output
    assert "Alerts for CezanneHR go to: a@example.com, b@example.com." in result.output
    db.session.refresh(plain)
    assert plain.alert_emails == "a@example.com,b@example.com"
    bad = runner.invoke(args=["lever", "integrations", "set-alerts", "CezanneHR", "bad@"])
    assert bad.exit_code != 0 and "is not an e-mail address" in bad.output
    cleared = runner.invoke(args=["lever", "integrations", "set-alerts", "CezanneHR"])
    assert "No alerts will be sent for CezanneHR." in cleared.output
    db.session.refresh(plain)
    assert plain.alert_emails is None
    unknown = runner.invoke(args=["lever", "integrations", "set-alerts", "nope", "a@example.com"])
    assert unknown.exit_code != 0 and "No Lever integration has the subdomain 'nope'" in (
        unknown.output
    )


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"MAIL_PORT": "smtp"}, "MAIL_PORT must be a port number"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT must be a port number"),
        ({"MAIL_USE_TLS": "maybe"}, "MAIL_USE_TLS must be 1 or 0"),
        ({"MAIL_SERVER": "smtp.example.com"}, "MAIL_DEFAULT_SENDER must be set"),
    ],
)
def test_bad_mail_settings_stop_the_app_with_a_reason(tmp_path, env, error):
    with pytest.raises(ConfigError, match=error):
        load_config(str(tmp_path), env)


def test_mail_settings_are_read(tmp_path):
    config = load_config(
        str(tmp_path),
        {
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_USE_TLS": "1",
            "MAIL_USERNAME": "apikey",
            "MAIL_PASSWORD": "secret",
            "MAIL_DEFAULT_SENDER": "HR <hr@example.com>",
        },
    )
    assert config["MAIL_PORT"] == 587 and config["MAIL_USE_TLS"] is True
    assert config["MAIL_USERNAME"] == "apikey" and config["MAIL_DEFAULT_SENDER"].startswith("HR")
    assert load_config(str(tmp_path), {})["MAIL_SERVER"] is None
