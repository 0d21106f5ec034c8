"""flask lever integrations create|list and flask lever rotate-keys."""

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from lever_cezanne import crypto
from lever_cezanne.models import LeverIntegration
from tests.lever.lever_helpers import SIGNATURE_TOKEN


def _create(runner, *extra):
    return runner.invoke(
        args=[
            "lever", "integrations", "create", "--subdomain", "CezanneHR",
            "--signature-token", SIGNATURE_TOKEN, "--admin", "hr.alex", "--company", "cez-uk",
            *extra,
        ]
    )  # fmt: skip


def test_create_and_list_never_print_secrets(app, db, hr_user, company):
    app.config["PUBLIC_BASE_URL"] = "https://hr.example.com"
    runner = app.test_cli_runner()
    created = _create(runner, "--hire-date-source", "offer")
    listed = runner.invoke(args=["lever", "integrations", "list"])

    assert created.exit_code == 0, created.output
    assert "https://hr.example.com/cezannehr/api/v4/Lever/webhook/CezanneHR" in created.output
    assert (
        "CezanneHR\tNeeds attention\tadmin=hr.alex\tcompany=CEZ-UK\thire-date=offer"
        in listed.output
    )
    assert SIGNATURE_TOKEN not in created.output + listed.output
    integration = db.session.scalar(select(LeverIntegration))
    assert crypto.decrypt(integration.signature_token_encrypted) == SIGNATURE_TOKEN


def test_create_with_review_hires(app, db, hr_user, company):
    runner = app.test_cli_runner()
    assert _create(runner).exit_code == 0
    assert db.session.scalar(select(LeverIntegration)).review_hires is False
    db.session.execute(text("DELETE FROM lever_integrations"))
    db.session.commit()

    created = _create(runner, "--review-hires")

    assert created.exit_code == 0, created.output
    db.session.expire_all()
    assert db.session.scalar(select(LeverIntegration)).review_hires is True


def test_create_refuses_bad_input_clearly(app, db, hr_user, company, make_company, make_user):
    runner = app.test_cli_runner()
    assert _create(runner).exit_code == 0
    duplicate = _create(runner)
    assert duplicate.exit_code == 1 and "already uses the subdomain" in duplicate.output

    short = runner.invoke(
        args=["lever", "integrations", "create", "--subdomain", "other", "--signature-token",
              "short", "--admin", "hr.alex", "--company", "CEZ-UK"]
    )  # fmt: skip
    assert short.exit_code == 1 and "too short for a Signature Token" in short.output

    make_user("hr", username="left.user", active=False)
    inactive_admin = runner.invoke(
        args=["lever", "integrations", "create", "--subdomain", "other",
              "--signature-token", "x" * 48, "--admin", "left.user", "--company", "CEZ-UK"]
    )  # fmt: skip
    assert inactive_admin.exit_code == 1 and "is deactivated" in inactive_admin.output

    make_company(code="OLD", active=False)
    inactive_company = runner.invoke(
        args=["lever", "integrations", "create", "--subdomain", "other",
              "--signature-token", "x" * 48, "--admin", "hr.alex", "--company", "OLD"]
    )  # fmt: skip
    assert inactive_company.exit_code == 1 and "is inactive" in inactive_company.output
    assert (
        db.session.scalar(select(LeverIntegration.id).where(LeverIntegration.subdomain == "other"))
        is None
    )


def test_rotate_keys_moves_every_secret_to_the_new_key(app, db, integration):
    integration.access_token_encrypted = crypto.encrypt("access-secret")
    integration.refresh_token_encrypted = crypto.encrypt("refresh-secret")
    db.session.commit()
    old_key = app.config["ENCRYPTION_KEYS"][0]
    new_key = Fernet.generate_key().decode()

    app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
    result = app.test_cli_runner().invoke(args=["lever", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 signature tokens, 1 access tokens, 1 refresh tokens" in result.output
    assert "secret" not in result.output.replace("secrets", "")

    app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key is dropped
    row = db.session.execute(
        text("SELECT signature_token_encrypted, access_token_encrypted, refresh_token_encrypted "
             "FROM lever_integrations")
    ).one()  # fmt: skip
    assert [crypto.decrypt(value) for value in row] == [
        SIGNATURE_TOKEN,
        "access-secret",
        "refresh-secret",
    ]


def test_rotate_keys_reports_secrets_no_key_can_read(app, db, integration):
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode()]
    result = app.test_cli_runner().invoke(args=["lever", "rotate-keys"])
    assert result.exit_code == 1
    assert "1 secrets could not be decrypted" in result.output


def test_the_signature_token_comes_from_a_prompt_or_the_environment(app, db, hr_user, company):
    runner = app.test_cli_runner()
    args = ["lever", "integrations", "create", "--admin", "hr.alex", "--company", "cez-uk"]
    asked = runner.invoke(args=[*args, "--subdomain", "asked"], input=f"{SIGNATURE_TOKEN}\n")
    assert asked.exit_code == 0, asked.output
    assert SIGNATURE_TOKEN not in asked.output and "Warning" not in asked.output
    from_env = runner.invoke(
        args=[*args, "--subdomain", "fromenv"], env={"LEVER_SIGNATURE_TOKEN": SIGNATURE_TOKEN}
    )
    assert from_env.exit_code == 0 and "Warning" not in from_env.output, from_env.output
    typed = _create(runner)
    assert "Warning: --signature-token on the command line is visible" in typed.output
    assert SIGNATURE_TOKEN not in typed.output
    tokens = db.session.scalars(select(LeverIntegration.signature_token_encrypted)).all()
    assert [crypto.decrypt(token) for token in tokens] == [SIGNATURE_TOKEN] * 3
