"""The live stack for the browser tests: its own database and Redis, the app under gunicorn,
and an RQ worker.

The Lever simulator is mounted in the app's process at /lever-sandbox and keeps its state in
memory, so the app runs as exactly one gunicorn process (with threads).
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from tests.e2e.services import (
    START_TIMEOUT,
    Process,
    TestDatabase,
    flush_redis,
    own_redis_url,
    wait_for_redis,
)
from tests.forked_cli import run_flask
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server")


@dataclass
class LiveStack:
    """Everything a browser test needs to reach: URLs, the demo passwords, the simulator."""

    workdir: Path
    port: int = field(default_factory=free_port)
    database: TestDatabase | None = None
    redis_url: str | None = None
    shared_redis: bool = False
    admin_password: str = ""
    hr_password: str = ""
    processes: list[Process] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sandbox_url(self) -> str:
        return f"{self.base_url}/lever-sandbox"

    def url(self, path: str) -> str:
        return self.base_url + path

    def env(self, simulator: bool = False) -> dict:
        """The environment of the stack's processes; only the web server mounts the simulator
        (elsewhere it would load and rewrite instance/lever-sandbox.json for nothing)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LEVER_", "FLASK_", "GUNICORN_")) and key != "REDIS_URL"
        }
        env.update(
            APP_ENV="development",
            DATABASE_URL=self.database.url,
            SECRET_KEY=self._secret("secret_key", lambda: secrets.token_hex(32)),
            ENCRYPTION_KEYS=self._secret("encryption_key", lambda: Fernet.generate_key().decode()),
            LEVER_ENVIRONMENT="local",
            LEVER_LOCAL_BASE_URL=self.sandbox_url,
            PUBLIC_BASE_URL=self.base_url,
            TIMEZONE="Europe/London",
            PYTHONUNBUFFERED="1",
            LEVER_SANDBOX_ENABLED="1" if simulator else "0",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def _secret(self, name: str, make) -> str:
        path = self.workdir / name
        if not path.exists():
            path.write_text(make())
        return path.read_text()

    def sandbox_config(self) -> dict:
        """Register this port's callback with the mounted simulator (its default is port 5000)."""
        return {
            "REDIRECT_URIS": [f"{self.base_url}/integrations/lever/oauth/callback"],
            "WEBHOOK_URL": "",
            "STATE_PATH": None,
            "WEBHOOK_RETRY_DELAYS": [1, 2, 5],
            "WEBHOOK_TIMEOUT": 10,
        }

    # -- start and stop -------------------------------------------------------------------

    def flask(self, *args: str, timeout: int = 120) -> str:
        """Run a `flask` command with the stack's environment and return its output (in a
        process forked from this one, see forked_cli)."""
        result = run_flask(["--app", "app", *args], self.env(), cwd=str(ROOT), timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare_redis(self, redis_url: str | None) -> None:
        """Run jobs through Redis when REDIS_URL is set: a private redis-server when one is
        installed (another worker on a shared Redis would take our jobs from the same queue
        name), else our own database number on REDIS_URL's server, flushed."""
        if not redis_url:
            return
        if REDIS_SERVER is None:
            self.redis_url, self.shared_redis = own_redis_url(redis_url), True
            flush_redis(self.redis_url)
            return
        port = free_port()
        options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._spawn("redis", [REDIS_SERVER, *options, "--dir", str(self.workdir)])
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        wait_for_redis(self.redis_url)

    def prepare_database(self) -> None:
        """Create the database, migrate it and seed the demo organisation."""
        self.database.create()
        self.flask("db", "upgrade")
        seeded = self.flask("demo", "seed")
        self.admin_password = _password_after(seeded, "Administrator:")
        self.hr_password = _password_after(seeded, "HR Professionals:")

    def _spawn(self, name: str, command: list[str], simulator: bool = False) -> Process:
        log_path = self.workdir / f"{name}.log"
        log = log_path.open("w")
        try:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env(simulator),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child has its own copy of the descriptor
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def start_server(self) -> None:
        """Serve the app with one gunicorn process and several threads."""
        factory = f"lever_cezanne:create_app({{'LEVER_SANDBOX_CONFIG': {self.sandbox_config()!r}}})"
        server = self._spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "--workers=1",
                "--threads=16",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=60",
                "--graceful-timeout=2",
                "--no-control-socket",  # gunicorn 27 shares ~/.gunicorn/gunicorn.ctl otherwise
                factory,
            ],
            simulator=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        # Only once this gunicorn says it holds the port is an answer on it this gunicorn's.
        listening = f"Listening at: {self.base_url}"
        while time.monotonic() < deadline:
            if not server.alive():
                raise RuntimeError(f"gunicorn exited:\n{server.log_tail()}")
            log = server.log_tail()
            if "Connection in use" in log:
                raise RuntimeError(f"port {self.port} was taken:\n{log}")
            if listening not in log:
                time.sleep(0.2)
                continue
            try:
                if requests.get(self.url("/auth/login"), timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # bound, but the app is still loading
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT}s:\n{server.log_tail()}")

    def start_worker(self) -> Process | None:
        """Start the RQ worker (`flask worker`) when jobs go through Redis."""
        if not self.redis_url:
            return None
        return self._spawn("worker", [str(BIN / "flask"), "--app", "app", "worker"])

    def diagnostics(self) -> str:
        """The simulator's latest webhook deliveries and each process's log, for a failure."""
        try:
            deliveries = self.sandbox_state()["deliveries"][:5]
        except requests.RequestException as exc:
            deliveries = [f"simulator unreachable: {exc}"]
        lines = ["", "--- simulator's latest webhook deliveries ---", *map(str, deliveries)]
        for process in self.processes:
            lines += [f"--- {process.name} log ---", process.log_tail(30)]
        return "\n".join(lines)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.database is not None:
            self.database.drop()
        if self.shared_redis:
            flush_redis(self.redis_url)

    # -- the Lever simulator's machine interface ------------------------------------------

    def sandbox_state(self) -> dict:
        response = requests.get(f"{self.sandbox_url}/_admin/state", timeout=10)
        response.raise_for_status()
        return response.json()

    def sandbox_post(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.sandbox_url}/_admin/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()


def _password_after(output: str, prefix: str) -> str:
    """Read a password from `flask demo seed`'s sign-in lines."""
    for line in output.splitlines():
        if line.startswith(prefix):
            match = re.search(r"password (\S+)$", line)
            if match:
                return match.group(1)
    raise RuntimeError(f"`flask demo seed` printed no {prefix!r} line:\n{output}")
