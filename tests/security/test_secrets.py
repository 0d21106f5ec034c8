"""Secrets are never stored in clear nor logged, and survive an ENCRYPTION_KEYS rotation."""

import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select

from lever_cezanne.models import LeverIntegration, Person
from lever_cezanne.models.base import utcnow
from tests.forked_cli import Completed, run_flask
from tests.security.conftest import app_routes, crypto_row, sample_url

pytestmark = pytest.mark.committed

ROOT = Path(__file__).resolve().parents[2]
ENCRYPTED = ("signature_token_encrypted", "access_token_encrypted", "refresh_token_encrypted")


def _expire_access_token(db, integration_id: int) -> None:
    """Make the next Lever call refresh the token, so rotated tokens are seen too."""
    integration = crypto_row(integration_id)
    integration.access_token_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def _dump(db) -> str:
    """Every value of every table, as text."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            parts.extend(str(value) for value in row)
    db.session.commit()
    return "\n".join(parts)


def _leaks(text: str, secrets: dict) -> list[str]:
    return sorted(name for name, value in secrets.items() if value and value in text)


def test_a_full_hire_stores_and_logs_no_secret_in_clear(
    app, db, client, hiring, lever_server, admin, login_as, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="lever_cezanne")
    secrets = {f"first {name}": value for name, value in hiring.tokens().items()}
    _expire_access_token(db, hiring.integration_id)
    delivery = hiring.hire("Cosima Niehaus")
    secrets.update(hiring.tokens())
    secrets.update(
        {
            "signature token": lever_server.store.webhook()["signature_token"],
            "webhook token": delivery["body"]["token"],
            "webhook signature": delivery["body"]["signature"],
            "client secret": app.config["LEVER_CLIENT_SECRET"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            **{f"Fernet key {n}": key for n, key in enumerate(app.config["ENCRYPTION_KEYS"])},
        }
    )
    assert db.session.scalar(select(Person.full_name)) == "Cosima Niehaus"
    assert secrets["access token"] != secrets["first access token"]  # a refresh happened

    dump = _dump(db)
    logs = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    login_as(admin)
    pages, shown = 0, ""
    for rule, _ in app_routes(app, {"GET"}):
        shown += client.get(sample_url(rule)).get_data(as_text=True)
        pages += 1
    figures = {
        "secrets_checked": len(secrets),
        "database_characters": len(dump),
        "log_records": len(caplog.records),
        "pages_scanned": pages,
    }
    print(f"\nSECRETS SCAN FIGURES: {figures}")
    assert _leaks(dump, secrets) == [], "secrets stored in clear"
    assert _leaks(logs, secrets) == [], "secrets in the logs"
    assert "Bearer " not in logs
    assert _leaks(shown, secrets) == [], "secrets shown on a page"
    # The capture saw the receiver, the job thread, the Lever client (at DEBUG) and the token code.
    loggers = {record.name for record in caplog.records}
    assert {"lever_cezanne.webhooks.views", "lever_cezanne.deliveries.process"} <= loggers, loggers
    assert {"lever_cezanne.lever.client", "lever_cezanne.lever.tokens"} <= loggers, loggers


def _rotate_keys(database_url: str, keys: list[str]) -> Completed:
    """Run `flask lever rotate-keys` as an operator would, configured by the environment (in a
    process forked from this one, see forked_cli)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": ",".join(keys),
        "LEVER_SANDBOX_ENABLED": "0",
        "APP_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    return run_flask(["--app", "app", "lever", "rotate-keys"], env, cwd=str(ROOT), timeout=60)


def test_key_rotation_keeps_webhooks_verified_and_lever_reachable(app, db, hiring, database_url):
    hiring.hire("Helena Manning")
    old_key, new_key = app.config["ENCRYPTION_KEYS"][0], Fernet.generate_key().decode()
    stored = db.session.execute(select(*(getattr(LeverIntegration, c) for c in ENCRYPTED))).one()
    db.session.commit()
    new_only = MultiFernet([Fernet(new_key)])
    for ciphertext in stored:  # before the rotation, the new key alone reads nothing
        try:
            new_only.decrypt(ciphertext.encode())
        except InvalidToken:
            continue
        raise AssertionError("a secret was readable before the rotation")

    result = _rotate_keys(database_url, [new_key, old_key])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Re-encrypted 1 signature tokens, 1 access tokens, 1 refresh tokens" in result.stdout
    app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key is gone

    integration = crypto_row(hiring.integration_id)
    plain = [new_only.decrypt(getattr(integration, c).encode()).decode() for c in ENCRYPTED]
    _expire_access_token(db, hiring.integration_id)  # the next call spends the refresh token
    delivery = hiring.hire("Alison Hendrix")
    names = set(db.session.scalars(select(Person.full_name)).all())
    print(f"\nKEY ROTATION FIGURES: {result.stdout.strip()} webhook answer "
          f"{delivery['attempts'][-1]['status_code']}; people {sorted(names)}")  # fmt: skip
    assert delivery["attempts"][-1]["status_code"] == 200  # the signature still verifies
    assert names == {"Helena Manning", "Alison Hendrix"}  # Lever was called with the tokens
    assert plain[0] == hiring.store.webhook()["signature_token"]
    assert crypto_row(hiring.integration_id).auth_status == "authorised"
