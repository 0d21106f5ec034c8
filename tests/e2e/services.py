"""Services the live stack starts: a port, a database, Redis, and child processes."""

import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

E2E_REDIS_DB = os.environ.get("E2E_REDIS_DB", "9")
START_TIMEOUT = 30


class TestDatabase:
    """A fresh PostgreSQL database on TEST_DATABASE_URL's server, or a SQLite file."""

    def __init__(self, server_url: str | None, sqlite_dir: Path):
        self.server_url = server_url
        if server_url:
            self.name = f"lc_e2e_{secrets.token_hex(4)}"
            self.url = urlunsplit(urlsplit(server_url)._replace(path="/" + self.name))
        else:
            self.name = None
            self.url = f"sqlite:///{sqlite_dir / 'e2e.db'}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(statement)

    def create(self) -> None:
        if self.name:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def own_redis_url(redis_url: str | None) -> str | None:
    """Point REDIS_URL at the e2e tests' own database number."""
    if not redis_url:
        return None
    return urlunsplit(urlsplit(redis_url)._replace(path="/" + E2E_REDIS_DB))


def wait_for_redis(url: str) -> None:
    from redis import Redis
    from redis.exceptions import RedisError

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        client = Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            if client.ping():
                return
        except RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            client.close()


def flush_redis(url: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Process:
    """A child process with its output in a log file."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        else:
            self.popen.wait()
