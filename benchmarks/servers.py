"""Subprocess servers: gunicorn from the Procfile, the Lever simulator, RQ workers; RSS sampling."""

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import requests

from benchmarks.helpers import (
    ROOT,
    child_pids,
    free_port,
    proc_cpu_seconds,
    proc_status_kb,
    wait_until,
)

LOG_DIR = Path(tempfile.gettempdir()) / "lc_bench_logs"


def procfile_command(process: str) -> str:
    """Return the Procfile's command line for a process type (web, worker, release)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise LookupError(f"the Procfile has no {process!r} process")


class Service:
    """A subprocess with its output in a log file; stopped gently, then killed."""

    def __init__(self, name: str, command: str, env: dict):
        LOG_DIR.mkdir(exist_ok=True)
        self.name = name
        self.log_path = LOG_DIR / f"{name}.log"
        self._log = self.log_path.open("wb")
        # exec: the shell is replaced, so our child is the server itself (its pid is the master).
        self.proc = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            raise RuntimeError(f"{self.name} exited early; see {self.log_path}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a warm shutdown for RQ and gunicorn), then SIGKILL to its process group."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def stopped_on_error(service: Service):
    """Stop the service if starting it fails, so no server outlives the benchmark."""
    try:
        yield
    except BaseException:
        service.stop()
        raise


def wait_http(service: Service, url: str, timeout: float = 30) -> None:
    """Wait until the service answers HTTP at url (any status)."""

    def up():
        service.check_alive()
        try:
            requests.get(url, timeout=5)
        except requests.RequestException:  # refused, or accepted while the app still loads
            return False
        return True

    wait_until(up, timeout, 0.1, f"{service.name} at {url}")


def start_gunicorn(env: dict, name: str = "gunicorn") -> tuple[Service, str]:
    """Start the Procfile's web line (production settings) on a free port; return it and its URL."""
    port = free_port()
    service = Service(name, procfile_command("web"), dict(env, PORT=str(port)))
    base = f"http://127.0.0.1:{port}"
    with stopped_on_error(service):
        wait_http(service, base + "/static/css/app.css", timeout=60)
        wait_until(lambda: len(child_pids(service.pid)) >= 1, 30, 0.1, "gunicorn workers")
    return service, base


def start_simulator(settings: dict, name: str = "lever-simulator") -> tuple[Service, str]:
    """Serve the Lever simulator alone; return it and its URL.

    One gunicorn process (the simulator's state lives in it) with threads, which keeps
    connections alive as Lever does: werkzeug's development server closes every connection, so
    each of a hire's calls paid for a new one on both sides of the same two cores.
    """
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update({f"LEVER_SANDBOX_{key}": str(value) for key, value in settings.items()})
    command = (
        f"{ROOT}/.venv/bin/gunicorn 'lever_cezanne.sandbox:create_app()' --workers 1 "
        f"--threads 8 --bind 127.0.0.1:{port} --keep-alive 5"
    )
    service = Service(name, command, env)
    base = f"http://127.0.0.1:{port}"
    with stopped_on_error(service):
        wait_http(service, base + "/_admin/state", timeout=30)
    return service, base


def start_worker(env: dict, name: str = "rq-worker") -> Service:
    """Start the Procfile's worker line (`flask --app app worker`)."""
    return Service(name, procfile_command("worker"), env)


class PeakSampler:
    """Sample VmHWM of processes and their descendants a few times a second, by role."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.roots: dict[str, int] = {}
        self.peaks_kb: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def watch(self, role: str, pid: int) -> None:
        self.roots[role] = pid

    def _sample(self) -> None:
        for role, root in list(self.roots.items()):
            for pid in [root, *descendants(root)]:
                hwm = proc_status_kb(pid, "VmHWM") or 0
                if hwm > self.peaks_kb.get(role, 0):
                    self.peaks_kb[role] = hwm

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._sample()
        self._stop.set()
        self._thread.join()


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = child_pids(todo.pop())
        found += kids
        todo += kids
    return found


def cpu_of(service: Service) -> float:
    """CPU seconds of a live service and every child it has reaped."""
    return proc_cpu_seconds(service.pid) or 0.0
