"""Shared benchmark plumbing: figures, statistics, PostgreSQL databases, /proc readings."""

import os
import re
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# Appended to every database the benchmarks create, so two people's runs on one server never
# drop each other's databases.
DB_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
QUICK = bool(os.environ.get("QUICK"))
# Fixed for the whole run, so in-process apps, gunicorn and RQ workers read each other's secrets.
ENCRYPTION_KEY = Fernet.generate_key().decode()
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Figure:
    """One measured figure, its same-run baseline and its target."""

    name: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value


def percentile(values, p: float) -> float:
    """Return the p-th percentile (0–100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values) -> float:
    return percentile(values, 50)


def timed_ms(call) -> tuple[float, object]:
    """Run call() and return (milliseconds, result)."""
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll check() until it returns something truthy; raise TimeoutError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def app_env(database_url: str, **extra) -> dict:
    """Environment for our app in production mode (the Procfile's processes)."""
    env = dict(os.environ)
    env.update(
        APP_ENV="production",
        SECRET_KEY="benchmark-secret-key-" + "x" * 32,
        DATABASE_URL=database_url,
        ENCRYPTION_KEYS=ENCRYPTION_KEY,
        REDIS_URL=REDIS_URL,
        LEVER_ENVIRONMENT="production",
        LEVER_CLIENT_ID="lever-cezanne-local",
        LEVER_CLIENT_SECRET="lever-cezanne-local-secret",
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        PYTHONPATH=str(ROOT),
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


# --- PostgreSQL -----------------------------------------------------------------------------


def database_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}{DB_SUFFIX}"


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def create_database(name: str) -> str:
    """Create an empty database (dropping any leftover of the same name); return its URL."""
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}{DB_SUFFIX}"')
    return database_url(name)


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}{DB_SUFFIX}" WITH (FORCE)')


@contextmanager
def bench_database(name: str):
    """A fresh database with the models' schema, dropped afterwards (unless BENCH_KEEP_DB)."""
    url = create_database(name)
    try:
        create_schema(url)
        yield url
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):
            drop_database(name)


def make_app(url: str, **config):
    """Build our app in this process against a database (production-like, no simulator)."""
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-" + "x" * 32)
    os.environ.setdefault("ENCRYPTION_KEYS", ENCRYPTION_KEY)
    from lever_cezanne import create_app
    from lever_cezanne.config import normalise_database_url

    settings = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "ENCRYPTION_KEYS": [ENCRYPTION_KEY],
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LEVER_SANDBOX_ENABLED": False,
        "RECONCILE_INTERVAL": 0,
    }
    settings.update(config)
    return create_app(settings)


def create_schema(url: str) -> None:
    """Create the tables from the models (what the migration is generated from)."""
    from lever_cezanne.demo import ensure_gender_not_known
    from lever_cezanne.extensions import db

    app = make_app(url)
    with app.app_context():
        db.create_all()
        ensure_gender_not_known()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def pg_connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def server_versions() -> dict:
    """PostgreSQL and Redis server versions."""
    import redis

    with psycopg.connect(PG_ADMIN_URL) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        rd = client.info("server")["redis_version"]
    finally:
        client.close()
    return {"postgresql": pg, "redis": rd}


# --- /proc ----------------------------------------------------------------------------------


def proc_status_kb(pid: int, field: str) -> int | None:
    """Read a kB field (VmHWM, VmRSS) of /proc/<pid>/status; None when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def proc_cpu_seconds(pid: int, children: bool = True) -> float | None:
    """CPU seconds of a process (user + system), plus those of its reaped children."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    # fields[11..14] are utime, stime, cutime, cstime (stat fields 14–17).
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def connections_by_process(pids: list[int], port: int) -> list[int]:
    """Established TCP connections to a local port that each process holds, largest first."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            # fields: sl, local address:port (hex), remote, state (01 = ESTABLISHED), ..., inode
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    counts = []
    for pid in pids:
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            held += target.startswith("socket:[") and target[8:-1] in inodes
        counts.append(held)
    return sorted(counts, reverse=True)


def child_pids(pid: int) -> list[int]:
    """Direct children of a process."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def machine() -> dict:
    """CPU model, cores, RAM, Python and server versions, load average."""
    import platform

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = proc_meminfo_kb("MemTotal")
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    info.update(server_versions())
    return info


def proc_meminfo_kb(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _request_statements(app, client, url: str) -> list[tuple[float, str, object]]:
    """Run a request; return (seconds, statement, parameters) for each SQL statement it ran."""
    from sqlalchemy import event

    from lever_cezanne.extensions import db

    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_start"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((time.perf_counter() - conn.info["bench_start"], statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seen


def _explain(app, statement: str, parameters) -> list[str]:
    from lever_cezanne.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in plan]


_PLAN_MS = re.compile(r"^(?:Planning|Execution) Time: ([0-9.]+) ms$")


def server_sql_ms(app, client, url: str) -> float:
    """Return the PostgreSQL server time of a request's SQL: planning plus execution, summed
    over its statements as EXPLAIN ANALYZE measures them (no network, driver or Python)."""
    total = 0.0
    for _, statement, parameters in _request_statements(app, client, url):
        for line in _explain(app, statement, parameters):
            if match := _PLAN_MS.match(line.strip()):
                total += float(match.group(1))
    return total


def explain_request(app, client, url: str) -> list[str]:
    """Run a request, then EXPLAIN ANALYZE its slowest SQL statement; return the plan lines."""
    seen = _request_statements(app, client, url)
    if not seen:
        return []
    seconds, statement, parameters = max(seen, key=lambda s: s[0])
    return [
        f"{len(seen)} SQL statements; the slowest took {seconds * 1000:.1f} ms:",
        *statement.split("\n"),
        "",
        *_explain(app, statement, parameters),
    ]
