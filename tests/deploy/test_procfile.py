"""The Procfile as a whole, run by honcho as Heroku would: release, then web + worker, on
PostgreSQL and Redis in production mode; a hire end to end; then SIGTERM, as on a restart.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from tests.conftest import LEVER_CLIENT_ID, LEVER_CLIENT_SECRET, LeverServer
from tests.e2e import services as e2e_services
from tests.e2e.live_stack import REDIS_SERVER
from tests.e2e.services import flush_redis, own_redis_url, wait_for_redis
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBDOMAIN = "CezanneHR"
PASSWORD = "procfile-admin-password"
TIMEOUT = 90


def _wait(what: str, check, timeout: float = TIMEOUT, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


@pytest.fixture
def services(tmp_path):
    """A fresh PostgreSQL database and a Redis nobody else's worker listens on."""
    server_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("REDIS_URL")
    if not server_url or not redis_url:
        print("skipping: the Procfile runs on PostgreSQL and Redis; set TEST_DATABASE_URL and "
              "REDIS_URL (CI does)")  # fmt: skip
        pytest.skip("TEST_DATABASE_URL and REDIS_URL are needed")
    database = e2e_services.TestDatabase(server_url, tmp_path)
    database.create()
    redis_process = None
    if REDIS_SERVER:
        port = free_port()
        redis_process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        redis_url = f"redis://127.0.0.1:{port}/0"
        wait_for_redis(redis_url)
    else:
        redis_url = own_redis_url(redis_url)
        flush_redis(redis_url)
    yield database, redis_url
    if redis_process:
        redis_process.terminate()
        redis_process.wait(10)
    else:
        flush_redis(redis_url)
    database.drop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def lever(lever_sandbox_config, port):
    """Lever (the simulator) on its own HTTP port, as the deployed app would reach Lever."""
    base = f"http://127.0.0.1:{port}"
    server = LeverServer(
        lever_sandbox_config
        | {
            "WEBHOOK_SYNC": False,
            "WEBHOOK_URL": f"{base}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}",
            "REDIRECT_URIS": [f"{base}/integrations/lever/oauth/callback"],
        }
    )
    yield server
    server.close()


class Deployment:
    """The environment an operator sets (app.json's variables), and honcho running the Procfile."""

    def __init__(self, database, redis_url, lever, workdir: Path, port: int):
        self.port = port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = database.url
        self.workdir = workdir
        self.log = workdir / "honcho.log"
        self.env = (
            {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("LEVER_", "FLASK_", "GUNICORN_", "TEST_"))
                and key not in ("REDIS_URL", "DATABASE_URL", "PORT")
            }
            | {
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                "APP_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "DATABASE_URL": database.url,
                "REDIS_URL": redis_url,
                "PUBLIC_BASE_URL": self.base_url,
                "LEVER_ENVIRONMENT": "production",
                "LEVER_CLIENT_ID": LEVER_CLIENT_ID,
                "LEVER_CLIENT_SECRET": LEVER_CLIENT_SECRET,
                "WEB_CONCURRENCY": "1",
                "WEB_THREADS": "4",
                "PYTHONUNBUFFERED": "1",
            }
            | {key: value for key, value in lever.app_config().items() if key.startswith("LEVER_")}
        )
        self.honcho: subprocess.Popen | None = None

    def run(self, *args: str, env: dict | None = None) -> str:
        """Run `flask ...` as `heroku run` would, with the app's environment."""
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args],
            cwd=ROOT, env=self.env | (env or {}), capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout + result.stderr

    def honcho_start(self, *process_types: str, log: Path) -> subprocess.Popen:
        with log.open("w") as out:
            return subprocess.Popen(
                [str(BIN / "honcho"), "--no-colour", "-f", str(ROOT / "Procfile"), "-d", str(ROOT),
                 "start", "-p", str(self.port), *process_types],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def release(self) -> str:
        """The release phase alone: honcho runs it to the end, as Heroku does before a deploy."""
        log = self.workdir / "release.log"
        process = self.honcho_start("release", log=log)
        assert process.wait(TIMEOUT) == 0, log.read_text()
        return log.read_text()

    def start(self) -> None:
        self.honcho = self.honcho_start("web", "worker", log=self.log)
        _wait("the web process to answer /healthz", self._healthy, log=self.log)
        _wait("the worker to start", lambda: "Listening on lever" in self.output(), log=self.log)

    def _healthy(self):
        assert self.honcho.poll() is None, self.output()
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def sql(self, statement: str, **params):
        engine = create_engine(self.database_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as conn:
                return conn.execute(text(statement), params).all()
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.honcho and self.honcho.poll() is None:
            self.honcho.send_signal(signal.SIGTERM)
            try:
                self.honcho.wait(30)
            except subprocess.TimeoutExpired:
                self.honcho.kill()
                self.honcho.wait(10)


@pytest.fixture
def deployment(services, lever, tmp_path, port):
    database, redis_url = services
    deployed = Deployment(database, redis_url, lever, tmp_path, port)
    yield deployed
    deployed.stop()


class Browser:
    """An HR professional's browser: the login form, CSRF tokens, the production cookie.

    The session cookie is Secure (__Host-session) and these requests are plain HTTP, as behind
    Heroku's router: the browser keeps cookies itself and sends them as HTTPS would.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs):
        if url.startswith("/"):
            url = self.base_url + url
        response = requests.request(
            method, url, cookies=self.cookies, allow_redirects=False, timeout=60, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, path: str):
        return self.request("GET", path)

    def submit(self, path: str, data: dict | None = None, form_path: str | None = None):
        page = self.get(form_path or path).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        return self.request("POST", path, data={"csrf_token": token, **(data or {})})


def _authorise_in_lever(browser: Browser, integration_id: int) -> None:
    """OK on the confirmation page, Accept on Lever's consent page, back through the callback."""
    path = f"/integrations/lever/{integration_id}/authorise"
    to_lever = browser.submit(path)
    assert to_lever.status_code == 302, to_lever.text[:500]
    with requests.Session() as at_lever:
        consent = at_lever.get(to_lever.headers["Location"], timeout=10)
        fields = dict(re.findall(r'name="(csrf_token|transaction)" value="([^"]*)"', consent.text))
        answer = at_lever.post(
            to_lever.headers["Location"].split("?", 1)[0],
            data=fields | {"decision": "accept"}, allow_redirects=False, timeout=10,
        )  # fmt: skip
    callback = answer.headers["Location"]
    assert callback.startswith(f"{browser.base_url}/integrations/lever/oauth/callback"), callback
    back = browser.get(callback)
    assert back.status_code == 302, back.text[:500]


def _with_status(deployment: Deployment, status: str):
    return deployment.sql("SELECT 1 FROM webhook_deliveries WHERE status = :s", s=status)


def test_the_procfile_deploys_hires_and_stops_cleanly(deployment, lever):
    release = deployment.release()
    assert "Running upgrade" in release, release

    # heroku run: the first Administrator, the organisation and the integration (secrets by env).
    deployment.run("users", "create", "--username", "ops", "--role", "administrator",
                   env={"NEW_USER_PASSWORD": PASSWORD})  # fmt: skip
    deployment.run("users", "create", "--username", "hr.alex", "--role", "hr",
                   env={"NEW_USER_PASSWORD": PASSWORD})  # fmt: skip
    deployment.run("companies", "create", "--code", "CEZ-UK", "--name", "Cezanne UK Ltd")
    deployment.run("processes", "create", "--name", "Enter a New Starter", "--type",
                   "with-absences")  # fmt: skip
    signature_token = lever.store.webhook()["signature_token"]
    created = deployment.run(
        "lever", "integrations", "create", "--subdomain", SUBDOMAIN, "--admin", "hr.alex",
        "--company", "CEZ-UK", env={"LEVER_SIGNATURE_TOKEN": signature_token},
    )  # fmt: skip
    webhook_url = f"{deployment.base_url}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}"
    assert webhook_url in created and signature_token not in created
    integration_id = int(re.search(r"\(id (\d+)\)", created)[1])

    deployment.start()
    health = requests.get(f"{deployment.base_url}/healthz", timeout=5).json()
    assert health == {"status": "ok", "database": "ok", "redis": "ok", "queue_depth": 0,
                      "oldest_waiting_delivery_s": None}  # fmt: skip

    browser = Browser(deployment.base_url)
    signed_in = browser.submit("/auth/login", {"username": "ops", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert "__Host-session" in browser.cookies
    _authorise_in_lever(browser, integration_id)

    # Lever sends a signed Candidate Hired webhook; the worker completes the hire.
    first = lever.store.add_candidate({"name": "Ada Lovelace", "emails": ["ada@example.com"]})
    lever.store.hire(first)
    _wait(
        "the first hire to complete",
        lambda: _with_status(deployment, "completed"),
        log=deployment.log,
    )
    log_tab = browser.get(f"/integrations/lever/{integration_id}/log").text
    assert "New Starter Process started for" in log_tab and "Ada Lovelace" in log_tab

    # SIGTERM while a hire is being processed and a page is being served (Lever answers slowly).
    lever.store.set_faults(latency_ms=1500)
    second = lever.store.add_candidate({"name": "Grace Hopper", "emails": ["grace@example.com"]})
    lever.store.hire(second)
    _wait(
        "the second hire to be picked up",
        lambda: _with_status(deployment, "processing"),
        log=deployment.log,
    )
    in_flight = {}

    def test_connection():
        in_flight["response"] = browser.submit(
            f"/integrations/lever/{integration_id}/test",
            form_path=f"/integrations/lever/{integration_id}/details",
        )

    request = threading.Thread(target=test_connection)
    request.start()
    time.sleep(0.5)  # the request is waiting on Lever's slow answer
    deployment.honcho.send_signal(signal.SIGTERM)
    request.join(TIMEOUT)
    assert deployment.honcho.wait(TIMEOUT) is not None
    output = deployment.output()
    stopped = [line.split("| ", 1)[-1] for line in output.splitlines() if "stopped (rc=" in line]
    print("\nPROCFILE: " + " | ".join(stopped))

    assert in_flight["response"].status_code == 302, "the web server cut a request short"
    statuses = [row[0] for row in deployment.sql("SELECT status FROM webhook_deliveries")]
    assert statuses == ["completed", "completed"], statuses  # the worker finished its job
    assert "warm shut down requested" in output and "Shutting down: Master" in output
    assert "SIGKILL" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert signature_token not in output and PASSWORD not in output
