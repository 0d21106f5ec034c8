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


def test_demo_data_matches_every_field_of_the_seeded_full_offer(app, db, tmp_path):
    """Mary's signed offer in the simulator maps with no Warning onto the demo organisation."""
    from lever_cezanne.onboarding.job import map_job
    from lever_cezanne.onboarding.offers import latest_signed_offer
    from lever_cezanne.sandbox import records, seed

    app.config["LEVER_SANDBOX_CONFIG"] = {"STATE_PATH": str(tmp_path / "lever-sandbox.json")}
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    candidate = records.build_candidate(seed.CANDIDATES[0], 1_700_000_000_000)
    users = {user["id"]: user for user in seed.users(0)}
    job = map_job(latest_signed_offer(candidate["offers"]), users.get)
    assert job.warnings == []
    assert job.labels == {
        "job_title": "Payroll Specialist",
        "department": "PAY — Payroll",
        "location": "LON — London",
        "line_manager": "Sam Super-Admin (DEMO-0004)",
        "salary": "42,000.00 GBP per year",
    }
