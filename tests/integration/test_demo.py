"""flask demo seed adds the "demo" integration, signed with the simulator's own token."""

from sqlalchemy import select

from lever_cezanne import crypto
from lever_cezanne.models import LeverIntegration
from lever_cezanne.sandbox import get_webhook_signature_token


def test_demo_seed_creates_the_demo_integration_once(app, db, tmp_path):
    state_path = str(tmp_path / "lever-sandbox.json")
    app.config["LEVER_SANDBOX_CONFIG"] = {"STATE_PATH": state_path}
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "Lever integration 'demo'" in first.output
    integration = db.session.scalars(select(LeverIntegration)).one()
    assert integration.subdomain == "demo"
    assert integration.admin_user.username == "hr.alex"
    assert integration.default_company.code == "CEZ-UK"
    token = get_webhook_signature_token(state_path)
    assert crypto.decrypt(integration.signature_token_encrypted) == token
