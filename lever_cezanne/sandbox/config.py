"""Defaults for the Lever simulator and their LEVER_SANDBOX_* environment overrides."""

import json
import os
import secrets

ENV_PREFIX = "LEVER_SANDBOX_"

DEFAULTS = {
    "CLIENT_ID": "lever-cezanne-local",
    "CLIENT_SECRET": "lever-cezanne-local-secret",
    "REDIRECT_URIS": [
        "http://127.0.0.1:5000/integrations/lever/oauth/callback",
        "http://localhost:5000/integrations/lever/oauth/callback",
    ],
    "AUDIENCE": None,
    "ACCESS_TOKEN_TTL": 3600,
    "RATE_LIMIT": 10,
    "RATE_BURST": 20,
    "WEBHOOK_URL": "http://127.0.0.1:5000/cezannehr/api/v4/Lever/webhook/demo",
    "STATE_PATH": None,
    "WEBHOOK_RETRY_DELAYS": [1, 5, 15, 60, 300],
    "WEBHOOK_SYNC": False,
    "WEBHOOK_TIMEOUT": 10,
    "WEBHOOK_WORKERS": 8,
    "SIGNATURE_TOKEN": None,
    "API_KEY": None,
    "SECRET_KEY": None,
    "SEED": True,
    "FAULT_500_RATE": 0.0,
    "FAULT_429_RATE": 0.0,
    "LATENCY_MS": 0,
    "FAULT_SEED": None,
}


def _parse(raw: str, default):
    """Turn an environment string into the type of its default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if raw.strip().lower() in {"", "none", "null"}:
        return None
    if isinstance(default, list):
        # Accept JSON lists or comma-separated values.
        if raw.lstrip().startswith("["):
            return json.loads(raw)
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return [float(i) for i in items] if default and not isinstance(default[0], str) else items
    if isinstance(default, int | float):
        number = float(raw)
        return int(number) if isinstance(default, int) and number.is_integer() else number
    return raw


def from_env(environ=None) -> dict:
    """Read LEVER_SANDBOX_<KEY> overrides for every known key."""
    environ = os.environ if environ is None else environ
    found = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is not None:
            found[key] = _parse(raw, default)
    return found


def build_config(overrides: dict | None, environ=None) -> dict:
    """Merge defaults, environment (when not given an explicit config) and overrides."""
    config = dict(DEFAULTS)
    if overrides is None:
        config.update(from_env(environ))
    else:
        config.update(overrides)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = secrets.token_hex(32)
    return config
