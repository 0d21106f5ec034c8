"""Configuration: fail fast in production, generate dev secrets once, accept Heroku URLs."""

import subprocess
import sys
from pathlib import Path

import pytest

from lever_cezanne.config import ConfigError, load_config, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgres://u:p@db.example:5432/hr",
    "ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    "LEVER_ENVIRONMENT": "production",
    "LEVER_CLIENT_ID": "client",
    "LEVER_CLIENT_SECRET": "secret",
    "PUBLIC_BASE_URL": "https://hr.example.com",
}


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "ENCRYPTION_KEYS", "PUBLIC_BASE_URL"]
)
def test_production_refuses_to_start_without_secrets(tmp_path, missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_config(str(tmp_path), env)


def test_production_boot_failure_is_one_line(tmp_path):
    env = {"APP_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY, DATABASE_URL, ENCRYPTION_KEYS, PUBLIC_BASE_URL must be set" in lines[0]


def test_production_config_is_secure(tmp_path):
    config = load_config(str(tmp_path), PROD_ENV)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/hr"
    assert config["LEVER_AUTHORIZE_URL"] == "https://auth.lever.co/authorize"
    assert config["LEVER_API_URL"] == "https://api.lever.co/v1"
    assert not config["LEVER_SANDBOX_ENABLED"]
    assert not list(tmp_path.iterdir()), "production must not write secrets to instance/"


def test_development_generates_secrets_once(tmp_path):
    first = load_config(str(tmp_path), {})
    second = load_config(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SESSION_COOKIE_SECURE"] is False


def test_lever_endpoints_follow_environment_and_overrides(tmp_path):
    sandbox = load_config(str(tmp_path), {"LEVER_ENVIRONMENT": "sandbox"})
    assert sandbox["LEVER_AUTHORIZE_URL"] == "https://sandbox-lever.auth0.com/authorize"
    assert sandbox["LEVER_AUDIENCE"] == "https://api.sandbox.lever.co/v1/"
    local = load_config(str(tmp_path), {"LEVER_API_URL": "http://127.0.0.1:9/v1/"})
    assert local["LEVER_API_URL"] == "http://127.0.0.1:9/v1"
    assert local["LEVER_TOKEN_URL"].endswith("/lever-sandbox/oauth/token")
    with pytest.raises(ConfigError, match="LEVER_ENVIRONMENT"):
        load_config(str(tmp_path), {"LEVER_ENVIRONMENT": "staging"})


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgres://a@h/db", "postgresql+psycopg://a@h/db"),
        ("postgresql://a@h/db", "postgresql+psycopg://a@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize("value", ["Production", "prod", "staging", "dev", ""])
def test_only_development_or_production_is_accepted(tmp_path, value):
    # Before: anything but exactly "production" ran as development (no secrets, the simulator).
    if value == "Production":
        assert load_config(str(tmp_path), PROD_ENV | {"APP_ENV": value})["APP_ENV"] == "production"
        return
    with pytest.raises(ConfigError, match="APP_ENV must be development or production"):
        load_config(str(tmp_path), PROD_ENV | {"APP_ENV": value})


def test_unknown_app_env_refuses_to_boot_with_one_line():
    env = {"APP_ENV": "staging", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "lever_cezanne cannot start: APP_ENV must be development or production, not 'staging'"
    ]


@pytest.mark.parametrize("lever", [None, "local"])
def test_production_refuses_the_local_simulator(tmp_path, lever):
    env = {k: v for k, v in PROD_ENV.items() if k != "LEVER_ENVIRONMENT"}
    if lever:
        env["LEVER_ENVIRONMENT"] = lever
    with pytest.raises(ConfigError, match="LEVER_ENVIRONMENT must be production or sandbox"):
        load_config(str(tmp_path), env)


def test_production_needs_a_full_public_address(tmp_path):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be the app's full address"):
        load_config(str(tmp_path), PROD_ENV | {"PUBLIC_BASE_URL": "hr.example.com"})


def test_proxy_headers_are_not_trusted_unless_configured(tmp_path):
    assert load_config(str(tmp_path), {})["PROXY_FIX_HOPS"] == 0
    assert load_config(str(tmp_path), {"PROXY_FIX_HOPS": "1"})["PROXY_FIX_HOPS"] == 1
