"""Lever (local simulator): a stand-in for Lever's OAuth server, Data API and webhooks.

Run it alone with ``flask --app lever_cezanne.sandbox run --port 5001`` (settings from
``LEVER_SANDBOX_<KEY>`` environment variables) or mount ``create_app(config)`` under
``/lever-sandbox`` with ``DispatcherMiddleware``; every URL is built with ``url_for``.

Config keys (all optional): CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS, AUDIENCE (default:
this sandbox's external ``/v1/`` URL), ACCESS_TOKEN_TTL, RATE_LIMIT (requests/s; None or 0
lifts it), RATE_BURST, WEBHOOK_URL, STATE_PATH (JSON file; None keeps state in memory),
WEBHOOK_RETRY_DELAYS, WEBHOOK_SYNC, WEBHOOK_TIMEOUT, WEBHOOK_WORKERS, SIGNATURE_TOKEN,
API_KEY (enables HTTP Basic), SECRET_KEY, SEED, FAULT_500_RATE, FAULT_429_RATE,
LATENCY_MS, FAULT_SEED.

Protocol endpoints: ``GET /authorize`` (consent page; ``POST /authorize`` answers it),
``POST /oauth/token``, and ``GET /v1/opportunities[/<id>[/offers]]``, ``/v1/contacts/<id>``,
``/v1/archive_reasons``, ``/v1/users``, ``/v1/stages``; files and notes (``documents_api``):
``GET /v1/opportunities/<id>/offers/<offer>/download?status=sent|signed``,
``GET /v1/opportunities/<id>/resumes[/<resume>[/download]]``,
``GET|POST /v1/opportunities/<id>/notes``.

Machine interface (JSON; for local use only, it has no authentication):

- ``GET /_admin/state`` → ``{candidates: [{id, contact_id, name, stage, archived, emails,
  phones, offers: [{id, status, start_date}], resumes: [file name], notes: [text]}],
  seeded: {name: id}, counters: {token_calls, token_calls_authorization_code,
  token_calls_refresh_token, api_calls, rate_limited, faults_500, faults_429, notes_created},
  settings: {rate_limit, rate_burst, access_token_ttl, fault_500_rate, fault_429_rate,
  latency_ms}, webhook: {url, signature_token, event, enabled}, authorized_apps: [{client_id,
  scopes, grants, authorized_at}], deliveries: [{id, event, opportunity_id, candidate_name,
  status, created_at, attempts, last_status_code, last_error, rerun_of}]}`` (deliveries
  newest first).
- ``POST /_admin/settings`` ``{fault_500_rate?, fault_429_rate?, latency_ms?, rate_limit?,
  rate_burst?, access_token_ttl?}`` → ``{settings}``.
- ``POST /_admin/candidates`` ``{name, emails?, phones?, location?, offer?: {status,
  start_date (ms) | start_in_days, title?, document?}, resume?}`` → 201 ``{id}`` (a
  ``resume`` or ``document`` may set ``name``, ``size``, ``missing`` and ``delay_ms``; a
  ``resume`` of null means none).
- ``POST /_admin/candidates/<id>/hire`` → ``{delivery}`` (null without a webhook URL);
  404 unknown, 409 already hired.
- ``POST /_admin/candidates/<id>/stage`` ``{stage?}`` → ``{opportunity}`` (unarchived).
- ``POST /_admin/bulk-hire`` ``{n}`` → ``{opportunity_ids}``.
- ``POST /_admin/revoke`` ``{client_id?}`` → ``{revoked: <grants revoked>}``.
- ``POST /_admin/webhook`` ``{url?, regenerate?}`` → ``{webhook}``.
- ``POST /_admin/webhook/test`` → ``{delivery}`` (Lever's ping, ``data: {}``).
- ``GET /_admin/deliveries/<id>`` → ``{delivery}`` with its body and attempts.
- ``POST /_admin/deliveries/<id>/rerun`` → ``{delivery}`` (same body, new log entry).

In-process, ``app.extensions["lever_sandbox"]`` is the ``SandboxStore``: ``hire(id)``,
``bulk_hire(n)``, ``move_stage(id, stage)``, ``add_candidate(spec)``, ``ping()``,
``rerun(id)``, ``revoke(client_id=None)``, ``set_faults(...)``, ``set_rate_limit(...)``,
``set_access_token_ttl(s)``, ``set_webhook_url(url)``, ``regenerate_signature_token()``,
``candidates()``, ``delivery_log()``, ``counters``, ``settings``, ``clock`` (replaceable).
"""

from flask import Flask, jsonify, render_template, request

from . import admin, api, candidate_views, csrf, documents_api, oauth_views, settings_views
from .config import build_config
from .persistence import get_webhook_signature_token
from .store import SandboxStore

__all__ = ["create_app", "get_webhook_signature_token"]


def create_app(config: dict | None = None) -> Flask:
    """Build the simulator app; config overrides defaults (env is read only when None)."""
    app = Flask(__name__, template_folder="templates", static_folder=None)
    settings = build_config(config)
    app.config.update(
        SECRET_KEY=settings["SECRET_KEY"],
        LEVER_SANDBOX=settings,
        # A distinct cookie so the mounted simulator never clobbers the main app's session.
        SESSION_COOKIE_NAME="lever_sandbox_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions["lever_sandbox"] = SandboxStore(settings)
    register_blueprints(app)
    register_errorhandlers(app)
    csrf.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Attach the protocol, admin and HTML blueprints."""
    for blueprint in (
        oauth_views.bp,
        api.bp,
        documents_api.bp,
        admin.bp,
        candidate_views.bp,
        settings_views.bp,
    ):
        app.register_blueprint(blueprint)


def _wants_json() -> bool:
    """Tell whether the failing request was to the API or the admin JSON."""
    return request.blueprint in ("api", "documents_api", "admin") or request.path.startswith(
        ("/v1/", "/_admin/")
    )


def register_errorhandlers(app: Flask) -> None:
    """Answer in Lever's JSON under /v1/ and with a branded page elsewhere."""

    def handle(error):
        if _wants_json():
            code = "ResourceNotFound" if error.code == 404 else error.name.replace(" ", "")
            return jsonify(code=code, message=error.description), error.code
        page = render_template("sandbox/error.html", error=error)
        return page, error.code

    for status in (400, 404, 405):
        app.register_error_handler(status, handle)
