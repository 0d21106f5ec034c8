"""Mount the built-in Lever simulator at /lever-sandbox: for development and demos only."""

import threading
from pathlib import Path

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lever_cezanne.config import LOCAL_SANDBOX_PATH

CALLBACK_PATH = "/integrations/lever/oauth/callback"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def lever_sandbox_settings(app: Flask) -> dict:
    """Settings of the mounted simulator: state under instance/, our client, the demo webhook.

    `flask demo seed` reads the webhook signature token from the same STATE_PATH, so the
    simulator signs Candidate Hired with the token the demo integration holds. URLs follow
    PUBLIC_BASE_URL, so the demo works on any host and port.
    """
    base = app.config["PUBLIC_BASE_URL"] or DEFAULT_BASE_URL
    redirect_uris = {
        f"{base}{CALLBACK_PATH}",
        f"http://127.0.0.1:5000{CALLBACK_PATH}",
        f"http://localhost:5000{CALLBACK_PATH}",
    }
    return {
        "STATE_PATH": str(Path(app.instance_path) / "lever-sandbox.json"),
        "WEBHOOK_URL": f"{base}/cezannehr/api/v4/Lever/webhook/demo",
        "CLIENT_ID": app.config["LEVER_CLIENT_ID"],
        "CLIENT_SECRET": app.config["LEVER_CLIENT_SECRET"],
        "REDIRECT_URIS": sorted(redirect_uris),
    } | app.config.get("LEVER_SANDBOX_CONFIG", {})


class LazySandbox:
    """The simulator, built on its first request.

    `flask db upgrade`, `flask demo seed` and the worker build the app too; building the simulator
    only when it serves a request keeps those commands from loading and rewriting its state file.
    """

    def __init__(self, settings: dict):
        self.settings = settings
        self._app = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Flask:
        with self._lock:
            if self._app is None:
                from lever_cezanne.sandbox import create_app as create_sandbox

                self._app = create_sandbox(self.settings)
        return self._app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Mount the simulator when it is enabled, and only in development."""
    if app.config["LEVER_SANDBOX_ENABLED"] and app.config["APP_ENV"] == "development":
        mount_sandbox(app)


def mount_sandbox(app: Flask) -> None:
    """Serve the simulator under /lever-sandbox beside the app."""
    sandbox = LazySandbox(lever_sandbox_settings(app))
    app.extensions["lever_sandbox_app"] = sandbox
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {LOCAL_SANDBOX_PATH: sandbox})
