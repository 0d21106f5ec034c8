"""Configuration from the environment; fail fast in production."""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

LEVER_ENVIRONMENTS = {
    "production": {
        "authorize": "https://auth.lever.co/authorize",
        "token": "https://auth.lever.co/oauth/token",
        "api": "https://api.lever.co/v1",
        "audience": "https://api.lever.co/v1/",
    },
    "sandbox": {
        "authorize": "https://sandbox-lever.auth0.com/authorize",
        "token": "https://sandbox-lever.auth0.com/oauth/token",
        "api": "https://api.sandbox.lever.co/v1",
        "audience": "https://api.sandbox.lever.co/v1/",
    },
}
LOCAL_SANDBOX_PATH = "/lever-sandbox"
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "ENCRYPTION_KEYS", "PUBLIC_BASE_URL")
APP_ENVS = ("development", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def normalise_database_url(url: str) -> str:
    """Accept Heroku's postgres:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: Path, name: str, make) -> str:
    """Read a development secret from instance/, generating it once."""
    path = instance_path / name
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _lever_endpoints(env) -> dict:
    """Lever's endpoints for LEVER_ENVIRONMENT, each overridable."""
    name = env.get("LEVER_ENVIRONMENT", "local")
    if name == "local":
        public = env.get("PUBLIC_BASE_URL", "").rstrip("/") or "http://127.0.0.1:5000"
        base = env.get("LEVER_LOCAL_BASE_URL", public + LOCAL_SANDBOX_PATH)
        defaults = {
            "authorize": f"{base}/authorize",
            "token": f"{base}/oauth/token",
            "api": f"{base}/v1",
            "audience": f"{base}/v1/",
        }
    elif name in LEVER_ENVIRONMENTS:
        defaults = LEVER_ENVIRONMENTS[name]
    else:
        raise ConfigError(f"LEVER_ENVIRONMENT must be production, sandbox or local, not {name!r}")
    return {
        "LEVER_ENVIRONMENT": name,
        "LEVER_AUTHORIZE_URL": env.get("LEVER_AUTHORIZE_URL", defaults["authorize"]),
        "LEVER_TOKEN_URL": env.get("LEVER_TOKEN_URL", defaults["token"]),
        "LEVER_API_URL": env.get("LEVER_API_URL", defaults["api"]).rstrip("/"),
        "LEVER_AUDIENCE": env.get("LEVER_AUDIENCE", defaults["audience"]),
    }


def _app_env(env) -> str:
    """Return development or production; anything else (prod, staging, a typo) is refused."""
    app_env = env.get("APP_ENV", "development").strip().lower()
    if app_env not in APP_ENVS:
        # Refused rather than run as development: that would mean no required secrets, insecure
        # cookies and the Lever simulator mounted on a server someone meant to be production.
        raise ConfigError(f"APP_ENV must be development or production, not {env['APP_ENV']!r}")
    return app_env


def _check_production(env) -> None:
    """Refuse to start production without its secrets, its public address or a real Lever."""
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
    if missing:
        raise ConfigError(f"{', '.join(missing)} must be set when APP_ENV=production")
    if not env["PUBLIC_BASE_URL"].startswith(("https://", "http://")):
        raise ConfigError(
            "PUBLIC_BASE_URL must be the app's full address, e.g. https://hr.example.com"
        )
    if env.get("LEVER_ENVIRONMENT", "local") == "local":
        raise ConfigError(
            "LEVER_ENVIRONMENT must be production or sandbox when APP_ENV=production "
            "(local is the built-in simulator, for development only)"
        )


def _mail_settings(env) -> dict:
    """SMTP settings; without MAIL_SERVER, mail goes to the log and the Outbox page instead."""
    use_tls = env.get("MAIL_USE_TLS", "0").strip().lower()
    if use_tls not in ("0", "1", "true", "false", "yes", "no", ""):
        raise ConfigError(f"MAIL_USE_TLS must be 1 or 0, not {use_tls!r}")
    tls = use_tls in ("1", "true", "yes")
    port = env.get("MAIL_PORT", "587" if tls else "25").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"MAIL_PORT must be a port number such as 587, not {port!r}")
    server = env.get("MAIL_SERVER", "").strip()
    sender = env.get("MAIL_DEFAULT_SENDER", "").strip()
    if server and not sender:
        raise ConfigError("MAIL_DEFAULT_SENDER must be set with MAIL_SERVER, e.g. hr@example.com")
    return {
        "MAIL_SERVER": server or None,
        "MAIL_PORT": int(port),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": tls,
        "MAIL_DEFAULT_SENDER": sender or "Cezanne HR <no-reply@localhost>",
        "MAIL_TIMEOUT": 30,
    }


def load_config(instance_path: str, env=None) -> dict:
    """Build the Flask config from environment variables."""
    env = os.environ if env is None else env
    app_env = _app_env(env)
    production = app_env == "production"
    if production:
        _check_production(env)
    instance = Path(instance_path)
    secret_key = env.get("SECRET_KEY") or _instance_secret(
        instance, "secret_key", lambda: secrets.token_hex(32)
    )
    keys = env.get("ENCRYPTION_KEYS") or _instance_secret(
        instance, "encryption_key", lambda: Fernet.generate_key().decode()
    )
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'lever_cezanne.db'}"
    local_lever = env.get("LEVER_ENVIRONMENT", "local") == "local"
    config = {
        "APP_ENV": app_env,
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": [k.strip() for k in keys.split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "LEVER_CLIENT_ID": env.get("LEVER_CLIENT_ID", "lever-cezanne-local" if local_lever else ""),
        "LEVER_CLIENT_SECRET": env.get(
            "LEVER_CLIENT_SECRET", "lever-cezanne-local-secret" if local_lever else ""
        ),
        "LEVER_SANDBOX_ENABLED": env.get("LEVER_SANDBOX_ENABLED", "1" if local_lever else "0")
        == "1",
        # Lever allows 10 requests/s with bursts of 20 per account; 0 lifts our limiter (tests).
        "LEVER_RATE_LIMIT": float(env.get("LEVER_RATE_LIMIT", "10")),
        "LEVER_RATE_BURST": int(env.get("LEVER_RATE_BURST", "20")),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "TIMEZONE": env.get("TIMEZONE", "Europe/London"),
        "PROXY_FIX_HOPS": int(env.get("PROXY_FIX_HOPS", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this exact
        # host and path /: no sibling subdomain can set or shadow it. Needs HTTPS: production only.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WEBHOOK_MAX_BYTES": 64 * 1024,
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Per account and client; per client across accounts (an office shares one address), higher
        # than one account's so a user locked out by their own typos is freed by a new password.
        "LOGIN_FAILURE_LIMIT": "10 per 15 minutes",
        "LOGIN_CLIENT_FAILURE_LIMIT": "30 per 15 minutes",
    }
    config.update(_lever_endpoints(env))
    config.update(_mail_settings(env))
    if production and not config["LEVER_CLIENT_ID"]:
        raise ConfigError("LEVER_CLIENT_ID and LEVER_CLIENT_SECRET must be set for Lever")
    return config
