"""Processes the chaos tests own: a private redis-server, a private database and RQ workers.

Other engineers share the machine's Redis and PostgreSQL, so nothing here touches them: faults
are injected only into processes started here, found again by an environment marker.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import create_engine, text
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
MARKER = "LC_CHAOS_OWNER"


def require_postgres_and_redis_server() -> str:
    """Return TEST_DATABASE_URL, or skip (with the reason printed) when the stack is missing."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        print("skipping: TEST_DATABASE_URL is not set (CI sets it); needs PostgreSQL")
        pytest.skip("TEST_DATABASE_URL is not set: the chaos run needs PostgreSQL")
    if not Path(REDIS_SERVER).exists():
        print(f"skipping: no redis-server at {REDIS_SERVER}")
        pytest.skip("redis-server is not installed")
    return url


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def private_database(admin_url: str):
    """Create an empty PostgreSQL database lc_chaos_<random>; drop it afterwards."""
    name = f"lc_chaos_{uuid.uuid4().hex[:10]}"
    engine = create_engine(sqlalchemy_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: a restart loses it all."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with suppress(RedisError), self.client(socket_connect_timeout=0.2) as probe:
                if probe.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def client(self, **options) -> Redis:
        return Redis.from_url(self.url, **options)


def _stat(pid: int) -> tuple[int, int] | None:
    """Return (ppid, pgid) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[2])


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def children(pid: int) -> list[tuple[int, int]]:
    """Return (pid, pgid) of the direct children of a process."""
    found = []
    for child in _pids():
        stat = _stat(child)
        if stat and stat[0] == pid:
            found.append((child, stat[1]))
    return found


def _job_of(redis: Redis, name: str) -> str | None:
    """The job RQ records the worker of this name as running, or None."""
    worker = Worker([], name=name, connection=redis, prepare_for_work=False)
    return worker.get_current_job_id()


class Workers:
    """`flask worker` processes (RQ), each in its own session so it can be SIGKILLed alone: those
    in `forking` fork a work horse per job (`--fork`), the others run jobs on their threads (the
    default)."""

    def __init__(
        self, env: dict, log_dir: Path, count: int, args=("--no-reconcile",), forking=(0,)
    ):
        self.args = list(args)
        self.forking = set(forking)
        self._names: dict[int, set[str]] = {}  # pid: its RQ workers' names
        self._redis = Redis.from_url(env["REDIS_URL"])  # reconnects after the outage
        self.owner = uuid.uuid4().hex
        self.env = {**os.environ, **env, MARKER: self.owner, "PYTHONUNBUFFERED": "1"}
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen | None] = [None] * count
        self.started = 0
        self.kills: list[str] = []

    def start(self, index: int) -> None:
        log = open(self.log_dir / f"worker-{self.started}.log", "wb")  # noqa: SIM115
        self.started += 1
        with log:
            self.processes[index] = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker", *self.args_of(index)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def args_of(self, index: int) -> list[str]:
        return [*self.args, *(["--fork"] if index in self.forking else [])]

    def start_all(self) -> None:
        for index in range(len(self.processes)):
            self.start(index)

    def restart_dead(self) -> int:
        """Start again any worker that exited, as a process manager would; return how many.
        Also note the names of the workers RQ knows (see running_job)."""
        restarted = 0
        for index, process in enumerate(self.processes):
            if process is None or process.poll() is not None:
                self.start(index)
                restarted += 1
        with suppress(RedisError):
            self._learn_names()
        return restarted

    def horse(self, index: int) -> int | None:
        """The work horse of a worker: RQ forks it into a process group of its own."""
        process = self.processes[index]
        if process is None or process.poll() is not None:
            return None
        return next((pid for pid, pgid in children(process.pid) if pid == pgid), None)

    def running_job(self, index: int) -> str | None:
        """The id of a job a worker runs on one of its threads, as RQ records it (a forking
        worker's job runs in its horse: see horse())."""
        process = self.processes[index]
        if process is None or process.poll() is not None:
            return None
        with suppress(RedisError):
            self._learn_names()
            for name in self._names.get(process.pid, ()):
                if job := _job_of(self._redis, name):
                    return job
        return None

    def _learn_names(self) -> None:
        """Remember the names of each process's RQ workers: a Redis restarted empty forgets who
        they are, while they go on working (and recording their jobs) under the same names."""
        for worker in Worker.all(connection=self._redis):
            self._names.setdefault(worker.pid, set()).add(worker.name)

    def describe(self) -> str:
        """Each worker process, its RQ workers' names and the job RQ says each runs (for a
        failure message)."""
        lines = []
        with suppress(RedisError):
            for index, process in enumerate(self.processes):
                state = process and f"pid {process.pid}, exit {process.poll()}"
                names = self._names.get(process.pid, set()) if process else set()
                jobs = {name: _job_of(self._redis, name) for name in names}
                lines.append(f"worker {index} {self.args_of(index)}: {state}; RQ workers {jobs}")
        return "\n".join(lines)

    def busy(self) -> int:
        """How many workers run a job (in a horse or on a thread)."""
        return sum(
            (self.horse(i) if i in self.forking else self.running_job(i)) is not None
            for i in range(len(self.processes))
        )

    def _running(self, indexes, lookup, safe, timeout: float) -> tuple[int, object] | None:
        """Poll until lookup(index) finds a job running in one of these workers at a moment
        `safe()` says is safe: return (index, what it found), or None after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index in indexes:
                if (found := lookup(index)) and safe():
                    return index, found
            time.sleep(0.005)
        return None

    def kill_horse_mid_job(self, safe=lambda: True, timeout: float = 3) -> int | None:
        """SIGKILL a work horse while it runs a job (RQ's own tests do this), at a moment `safe()`
        says is safe; None if none ran a job then."""
        found = self._running(sorted(self.forking), self.horse, safe, timeout)
        if found is None:
            return None
        index, horse = found
        try:
            os.kill(horse, signal.SIGKILL)
        except ProcessLookupError:
            return None  # its job ended first: the caller tries again after its next hire
        self.kills.append(f"work horse {horse} of worker {index}")
        return horse

    def kill(self, index: int) -> str:
        """SIGKILL a worker with everything it started (its horse has a process group of its
        own), as the OOM killer or a dyno restart would; return what was killed."""
        process = self.processes[index]
        horse = self.horse(index)
        os.killpg(process.pid, signal.SIGKILL)
        if horse:
            os.kill(horse, signal.SIGKILL)
        process.wait(10)
        killed = f"worker {process.pid}" + (f" with its horse {horse}" if horse else "")
        self.kills.append(killed)
        return killed

    def kill_worker_mid_job(self, safe=lambda: True, timeout: float = 3) -> int | None:
        """SIGKILL a whole worker running jobs on its threads while it runs one, as the OOM
        killer or a dyno restart would, at a moment `safe()` says is safe; None if none ran a job
        then."""
        threaded = [i for i in range(len(self.processes)) if i not in self.forking]
        found = self._running(threaded, self.running_job, safe, timeout)
        if found is None:
            return None
        index, job = found
        process = self.processes[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        self.kills.append(f"worker {process.pid} running {job}")
        return process.pid

    def stop_all(self) -> None:
        """Stop every worker, then SIGKILL any process of ours that outlived its parent."""
        for process in self.processes:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            if process is None:
                continue
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        for pid in self._ours():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._redis.close()

    def _ours(self) -> list[int]:
        """Processes carrying this run's marker (orphaned horses or schedulers)."""
        tag = f"{MARKER}={self.owner}".encode()
        found = []
        for pid in _pids():
            if pid == os.getpid():
                continue
            try:
                if tag in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    found.append(pid)
            except OSError:
                continue
        return found

    def output(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log"))
        )


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # thousands of requests: keep the output readable
        pass


class Served:
    """A WSGI app served over real HTTP on 127.0.0.1 by a threaded server in this process."""

    def __init__(self, wsgi_app):
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, threaded=True, request_handler=_QuietHandler
        )
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
