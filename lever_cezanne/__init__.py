"""lever_cezanne: Lever Candidate Hired webhooks become Cezanne HR people and New Starter tasks."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lever_cezanne import (
    accounts,
    cli,
    deliveries,
    errors,
    health,
    integration,
    mail,
    org,
    people,
    processes,
    sandbox_mount,
    security,
    webhooks,
)
from lever_cezanne.app_logging import configure_logging
from lever_cezanne.config import ConfigError, load_config
from lever_cezanne.core import connection_checks, template_filters, word_search
from lever_cezanne.extensions import csrf, db, login_manager
from lever_cezanne.ids import register_id_converter
from lever_cezanne.webhooks import sessions as webhook_sessions

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ConfigError", "create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Each line below is one named step; together they are the whole app."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})
    configure_logging(app)
    register_id_converter(app)
    register_extensions(app)
    connection_checks.init_app(app)  # a pooled connection idle for a while is pinged first
    accounts.init_app(app)  # signing in, the login throttle, users
    word_search.init_app(app)
    mail.init_app(app)  # the outbox, sent after commit
    deliveries.init_app(app)  # the in-process runner when there is no Redis
    people.init_app(app)
    org.init_app(app)
    processes.init_app(app)
    integration.init_app(app)
    webhooks.init_app(app)
    webhook_sessions.init_app(app)  # Lever's webhooks open no cookie session
    health.init_app(app)
    template_filters.init_app(app)
    errors.register_errorhandlers(app)
    security.register_headers(app)
    security.register_input_checks(app)
    cli.register_commands(app)
    trust_proxy_headers(app)
    sandbox_mount.init_app(app)  # the Lever simulator, in development only
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of extensions.py to this app."""
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)


def trust_proxy_headers(app: Flask) -> None:
    """Trust the router's X-Forwarded-* headers, as many hops as PROXY_FIX_HOPS says."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)
