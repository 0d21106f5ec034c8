"""The built-in Lever simulator mounted at /lever-sandbox."""

from lever_cezanne.sandbox_mount import lever_sandbox_settings


def test_simulator_is_built_on_first_request_only(app, tmp_path):
    from lever_cezanne.sandbox_mount import mount_sandbox

    app.config["LEVER_SANDBOX_CONFIG"] = {"STATE_PATH": str(tmp_path / "state.json")}
    mount_sandbox(app)
    sandbox = app.extensions["lever_sandbox_app"]
    assert sandbox._app is None, "building the app (flask commands) must not load the simulator"
    response = app.test_client().get("/lever-sandbox/_admin/state")
    assert response.status_code == 200
    assert sandbox._app is not None


def test_simulator_urls_follow_public_base_url(app):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:8123"
    settings = lever_sandbox_settings(app)
    assert settings["WEBHOOK_URL"] == "http://127.0.0.1:8123/cezannehr/api/v4/Lever/webhook/demo"
    assert "http://127.0.0.1:8123/integrations/lever/oauth/callback" in settings["REDIRECT_URIS"]
    assert "http://127.0.0.1:5000/integrations/lever/oauth/callback" in settings["REDIRECT_URIS"]


def test_production_never_mounts_the_simulator(base_config, _schema):
    from lever_cezanne import create_app

    app = create_app(base_config | {"APP_ENV": "production", "LEVER_SANDBOX_ENABLED": True})
    assert "lever_sandbox_app" not in app.extensions
    response = app.test_client().get("/lever-sandbox/_admin/state")
    assert response.status_code == 404
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
