"""The files a Heroku-style deploy reads: app.json, .python-version, Procfile."""

import json
import re
import sys
import tomllib
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
CONFIG_SOURCE = ROOT / "lever_cezanne" / "config.py"
FROM_ADDONS = {"DATABASE_URL": "heroku-postgresql", "REDIS_URL": "heroku-redis"}
# Read only by development: the simulator is never mounted in production.
DEVELOPMENT_ONLY = {"LEVER_LOCAL_BASE_URL", "LEVER_SANDBOX_ENABLED"}

# Heroku's app.json reference (devcenter.heroku.com/articles/app-json-schema), the parts we use.
ENV_ENTRY = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "value": {"type": "string"},
                "required": {"type": "boolean"},
                "generator": {"enum": ["secret"]},
            },
            "additionalProperties": False,
        },
    ]
}
APP_JSON_SCHEMA = {
    "type": "object",
    "required": ["name", "env", "addons", "formation"],
    "properties": {
        "name": {"type": "string", "maxLength": 30},
        "description": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "website": {"type": "string"},
        "repository": {"type": "string"},
        "logo": {"type": "string"},
        "success_url": {"type": "string"},
        "stack": {"type": "string"},
        "scripts": {
            "type": "object",
            "propertyNames": {"enum": ["postdeploy", "pr-predestroy"]},
        },
        "env": {"type": "object", "additionalProperties": ENV_ENTRY},
        "formation": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "quantity": {"type": "integer", "minimum": 0},
                    "size": {"type": "string"},
                },
                "required": ["quantity"],
                "additionalProperties": False,
            },
        },
        "addons": {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {
                            "plan": {"type": "string"},
                            "as": {"type": "string"},
                            "options": {"type": "object"},
                        },
                        "required": ["plan"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "buildpacks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["url"],
                "properties": {"url": {"type": "string"}},
            },
        },
        "environments": {"type": "object"},
    },
    "additionalProperties": False,
}


def _app_json() -> dict:
    return json.loads((ROOT / "app.json").read_text())


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_app_json_validates():
    jsonschema.validate(_app_json(), APP_JSON_SCHEMA)


def test_app_json_has_the_addons_and_the_procfile_formation():
    app_json = _app_json()
    plans = {addon["plan"].split(":")[0] for addon in app_json["addons"]}
    assert plans == {"heroku-postgresql", "heroku-redis"}
    assert set(app_json["formation"]) == {"web", "worker"}
    assert set(app_json["formation"]) <= set(_procfile())
    assert "postdeploy" not in app_json.get("scripts", {}), "release migrates; no postdeploy"


def test_app_json_describes_every_variable_the_config_reads():
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', CONFIG_SOURCE.read_text()))
    env = _app_json()["env"]
    missing = read - set(env) - set(FROM_ADDONS) - DEVELOPMENT_ONLY
    assert not missing, f"add these to app.json's env: {sorted(missing)}"
    for name, entry in env.items():
        assert entry["description"], name
        assert isinstance(entry["required"], bool), f"{name}: say whether it is required"
    assert env["SECRET_KEY"]["generator"] == "secret"
    assert "Fernet" in env["ENCRYPTION_KEYS"]["description"]
    assert env["APP_ENV"]["value"] == "production"
    assert env["PUBLIC_BASE_URL"]["required"] is True


def test_python_version_matches_ci_and_pyproject():
    pinned = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", pinned), "Heroku takes a major version, e.g. 3.11"
    assert pinned == f"{sys.version_info.major}.{sys.version_info.minor}", "CI runs another Python"
    requires = re.search(r'requires-python = ">=([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned == requires.group(1)


def test_procfile_release_migrates():
    assert _procfile()["release"].endswith("db upgrade")


def _locked(name: str) -> dict[str, str]:
    """Package -> version pinned in a lock file; every pin must carry hashes."""
    text_ = (ROOT / name).read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text_, re.MULTILINE))
    entries = re.split(r"\n(?=[A-Za-z0-9])", text_.split("\n\n", 1)[1])
    unhashed = [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry]
    assert not unhashed, f"{name}: pins without hashes: {unhashed}"
    return {key.lower().replace("_", "-"): value for key, value in pins.items()}


def _declared(group: str | None) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + (project["optional-dependencies"][group] if group else [])
    pins = (re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)", d) for d in declared)
    return {pin[1].lower().replace("_", "-"): pin[2] for pin in pins}


def test_lock_files_pin_what_pyproject_declares():
    for lock_file, group in (("requirements.txt", None), ("requirements-dev.txt", "dev")):
        locked, declared = _locked(lock_file), _declared(group)
        drift = {name: (version, locked.get(name)) for name, version in declared.items()
                 if locked.get(name) != version}  # fmt: skip
        assert not drift, (
            f"{lock_file} is out of date with pyproject.toml (declared, locked): {drift}. "
            "Run `make lock` and commit both requirements files."
        )
    assert set(_locked("requirements.txt")) <= set(_locked("requirements-dev.txt"))
