"""lever_cezanne: Lever Candidate Hired webhooks become Cezanne HR people and New Starter tasks."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lever_cezanne import cli, deliveries, errors, mail, security
from lever_cezanne.accounts import throttle
from lever_cezanne.app_logging import configure_logging
from lever_cezanne.config import ConfigError, load_config
from lever_cezanne.core import template_filters, word_search
from lever_cezanne.extensions import csrf, db, login_manager, migrate
from lever_cezanne.ids import register_id_converter
from lever_cezanne.sandbox_mount import mount_sandbox

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ConfigError", "create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, commands."""
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
    deliveries.init_app(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    security.register_headers(app)
    security.register_input_checks(app)
    cli.register_commands(app)
    register_proxy(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    throttle.init_app(app)
    word_search.init_app(app)
    mail.init_app(app)


def _load_user(user_id: str):
    from lever_cezanne.accounts.services import load_user

    return load_user(user_id)


def register_blueprints(app: Flask) -> None:
    from lever_cezanne import accounts, health, integration, org, people, processes, webhooks

    accounts.init_app(app)
    people.init_app(app)
    org.init_app(app)
    processes.init_app(app)
    app.register_blueprint(integration.bp)
    app.register_blueprint(integration.setup_bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(mail.bp)
    template_filters.init_app(app)


def register_proxy(app: Flask) -> None:
    """Trust the router's X-Forwarded-* headers, and mount the Lever simulator in development."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)
    if app.config["LEVER_SANDBOX_ENABLED"] and app.config["APP_ENV"] == "development":
        mount_sandbox(app)
