"""Benchmark 1: how fast gunicorn (production settings) acknowledges signed webhooks."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.helpers import (
    Figure,
    app_env,
    bench_database,
    child_pids,
    connections_by_process,
    pg_connect,
    proc_cpu_seconds,
    proc_status_kb,
)
from benchmarks.noop_post import NOOP_PATH
from benchmarks.seed import flush_redis, seed_organisation, signed_body, webhook_path
from benchmarks.servers import PeakSampler, procfile_command, start_gunicorn

TITLE = "1. Webhook acknowledgement under load (gunicorn, PostgreSQL, Redis)"
DATABASE = "lc_bench_ack"
CONNECTIONS = 32
STATIC_PATH = "/static/css/app.css"
SCRIPT = Path(__file__).resolve().parent / "wrk_bodies.lua"
SIGNATURE_TOKEN = "bench-ack-signature-token-0123456789abcdef"
# Upper bound of what the server could take in a second, so no body is ever sent twice.
MAX_RATE = 6000
ROUNDS = 4  # alternated no-op and webhook runs


def wrk(url: str, seconds: int, bodies: Path | None = None) -> dict:
    """Run wrk (one thread, CONNECTIONS connections) and return its RESULT line as a dict."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    env = dict(os.environ, WRK_BODIES=str(bodies or ""), WRK_THREADS="1")
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    out = subprocess.run(
        [*command, "-s", str(SCRIPT), url], env=env, capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors"))
    result["errors"] += result["status_errors"] + result["timeouts"]
    return result


def write_bodies(path: Path, count: int) -> None:
    """Sign `count` unique candidateHired bodies, one per line."""
    with path.open("w") as out:
        for n in range(count):
            out.write(signed_body(SIGNATURE_TOKEN, f"opp-{n:08d}", f"contact-{n:08d}") + "\n")


def _cpu_seconds(url: str, workers: list[int]) -> tuple[float, float]:
    """CPU seconds so far of the gunicorn workers, and of the PostgreSQL backends serving them."""
    with pg_connect(url) as conn:
        backends = [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    web = sum(proc_cpu_seconds(pid, children=False) or 0 for pid in workers)
    return web, sum(proc_cpu_seconds(pid, children=False) or 0 for pid in backends)


def _load(url: str, target: str, seconds: int, workers: list[int], bodies=None) -> dict:
    """Run wrk and add the CPU spent per request by the web workers and the database, and how
    wrk's connections were shared between the workers."""
    # A keep-alive connection stays with the worker that accepted it for the whole run, and
    # which worker wins each accept is a race: the split can be anything from even to 32/0.
    split = []
    counter = threading.Timer(
        seconds / 2, lambda: split.extend(connections_by_process(workers, urlsplit(target).port))
    )
    web_before, db_before = _cpu_seconds(url, workers)
    counter.start()
    result = wrk(target, seconds, bodies)
    counter.join()
    web_after, db_after = _cpu_seconds(url, workers)
    result["split"] = "/".join(map(str, split))
    result["web_cpu_ms"] = (web_after - web_before) / result["requests"] * 1000
    # Backends that appeared during the run started at zero; ones that went away are missed.
    result["db_cpu_ms"] = max(0.0, db_after - db_before) / result["requests"] * 1000
    return result


def _deliveries(url: str) -> int:
    with pg_connect(url) as conn:
        return conn.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]


def _combined(rounds: list[dict]) -> dict:
    """One figure set from alternated rounds: throughput and CPU over all of them, the median
    p50, the worst p99, every round's connection split."""
    requests = sum(r["requests"] for r in rounds)
    p50s = sorted(r["p50_us"] for r in rounds)
    return {
        "requests": requests,
        "rps": requests / (sum(r["duration_us"] for r in rounds) / 1e6),
        "p50_us": p50s[len(p50s) // 2],
        "p99_us": max(r["p99_us"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "web_cpu_ms": sum(r["web_cpu_ms"] * r["requests"] for r in rounds) / requests,
        "db_cpu_ms": sum(r["db_cpu_ms"] * r["requests"] for r in rounds) / requests,
        "split": ", ".join(r["split"] for r in rounds),
    }


def _slices(bodies: Path, sizes: list[int]) -> list[Path]:
    """Cut the bodies file into consecutive files of these sizes (wrk reads each from its top)."""
    lines = bodies.read_text().splitlines(keepends=True)
    paths, start = [], 0
    for n, size in enumerate(sizes):
        path = bodies.with_name(f"{bodies.stem}-{n}.jsonl")
        path.write_text("".join(lines[start : start + size]))
        paths.append(path)
        start += size
    return paths


def run(ctx, section) -> None:
    seconds = 10 if ctx.quick else 20
    warmup = 2
    # The no-op and the webhook take turns, ROUNDS times each: this machine's speed drifts within
    # a minute, and one long run of each would put the drift into the ratio.
    each = seconds // ROUNDS
    flush_redis()
    with bench_database(DATABASE) as url, tempfile.TemporaryDirectory() as tmp:
        seed_organisation(url, SIGNATURE_TOKEN)
        bodies = Path(tmp) / "bodies.jsonl"
        write_bodies(bodies, MAX_RATE * (seconds + warmup))
        warm, *hook_bodies = _slices(bodies, [MAX_RATE * warmup] + [MAX_RATE * each] * ROUNDS)
        # The no-op POST gets the same signed bodies as the receiver (they are not stored).
        noop_bodies = hook_bodies[0]
        env = app_env(url, GUNICORN_CMD_ARGS="-c python:benchmarks.noop_post")
        server, base = start_gunicorn(env, "gunicorn-ack")
        with server, PeakSampler() as peaks:
            peaks.watch("web", server.pid)
            workers = child_pids(server.pid)
            idle_kb = max(proc_status_kb(pid, "VmRSS") or 0 for pid in workers)
            wrk(base + STATIC_PATH, warmup)
            static = _load(url, base + STATIC_PATH, seconds, workers)
            wrk(base + NOOP_PATH, warmup, noop_bodies)
            wrk(base + webhook_path(), warmup, warm)  # spends the warm-up's own bodies
            before = _deliveries(url)
            noop_rounds, hook_rounds = [], []
            for round_bodies in hook_bodies:
                noop_rounds.append(_load(url, base + NOOP_PATH, each, workers, noop_bodies))
                hook_rounds.append(_load(url, base + webhook_path(), each, workers, round_bodies))
            stored = _deliveries(url) - before
        noop, hook = _combined(noop_rounds), _combined(hook_rounds)
        _record(ctx, section, noop, hook, stored, seconds, peaks.peaks_kb.get("web", 0), idle_kb)
        section.figures.insert(0, Figure("static file throughput", static["rps"], "req/s"))
    flush_redis()


def _workers_and_threads() -> str:
    """The gunicorn workers × threads the run used: the environment's, else the Procfile's."""
    line = procfile_command("web")
    workers = re.search(r"WEB_CONCURRENCY:-(\d+)", line)
    threads = re.search(r"WEB_THREADS:-(\d+)", line)
    workers = os.environ.get("WEB_CONCURRENCY") or (workers and workers.group(1)) or "?"
    threads = os.environ.get("WEB_THREADS") or (threads and threads.group(1)) or "?"
    return f"WEB_CONCURRENCY × WEB_THREADS: {workers} workers × {threads} threads"


def _stored_verdict(acknowledged: int, stored: int) -> str:
    if stored >= acknowledged:
        # wrk stops counting at the deadline; requests still in flight are stored all the same.
        return "at least one row per acknowledged webhook: nothing acknowledged was lost"
    return f"{acknowledged - stored:,} acknowledged webhooks have no row: LOST"


def _record(ctx, section, noop, hook, stored, seconds, peak_kb, idle_kb) -> None:
    ratio_ok = hook["rps"] >= 0.5 * noop["rps"]
    p99_ms = hook["p99_us"] / 1000
    section.figures += [
        Figure("no-op POST throughput", noop["rps"], "req/s"),
        Figure("no-op latency p50", noop["p50_us"] / 1000, "ms"),
        Figure("no-op latency p99", noop["p99_us"] / 1000, "ms"),
        Figure("webhook throughput", hook["rps"], "req/s", "no-op", noop["rps"],
               "≥ 0.5× no-op", ratio_ok),
        Figure("webhook latency p50", hook["p50_us"] / 1000, "ms", "no-op p50",
               noop["p50_us"] / 1000),
        Figure("webhook latency p99", p99_ms, "ms", "no-op p99", noop["p99_us"] / 1000,
               "< 100 ms", p99_ms < 100),
        Figure("webhook errors (non-2xx, socket)", hook["errors"], "", "no-op errors",
               noop["errors"], "0", hook["errors"] == 0),
        Figure("web workers' CPU per request", hook["web_cpu_ms"], "ms", "no-op",
               noop["web_cpu_ms"]),
        Figure("PostgreSQL backends' CPU per request", hook["db_cpu_ms"], "ms", "no-op",
               noop["db_cpu_ms"]),
    ]  # fmt: skip
    ctx.note_memory("web worker", peak_kb, idle_kb, "webhook acknowledgement load")
    section.notes += [
        f"gunicorn started from the Procfile's `web` line (APP_ENV=production, "
        f"{_workers_and_threads()}, access log on), "
        f"PostgreSQL and Redis on this machine; no RQ worker runs, so deliveries wait, stored. "
        f"Load: wrk, 1 thread, {CONNECTIONS} connections, keep-alive, after a 2 s warm-up of "
        f"each: the no-op and the webhook take turns, {ROUNDS} runs of {seconds // ROUNDS} s "
        f"each ({seconds // ROUNDS * ROUNDS} s in all each), so that the machine's drift falls "
        f"on both alike. "
        f"Throughput and CPU are over all runs, p50 the median run's, p99 the worst run's.",
        f"No-op baseline: `POST {NOOP_PATH}`, a Flask view that parses the JSON body and "
        f"answers 200, added to the same gunicorn by `benchmarks/noop_post.py` and sent the same "
        f"signed bodies; `GET {STATIC_PATH}` (a static file) is a second reference. Webhook: "
        f"`POST {webhook_path()}`, every body a "
        f"different signed candidateHired (pre-signed by the benchmark; wrk's Lua sends each "
        f"once).",
        f"wrk's {CONNECTIONS} connections by gunicorn worker, halfway through each run: no-op "
        f"{noop['split']}, webhook {hook['split']}. Each stays with the worker that accepted it "
        f"for the whole run, so an uneven split leaves one process (one GIL) most of the load.",
        f"wrk counted {hook['requests']:,} webhook responses; {stored:,} new deliveries were "
        f"stored ({_stored_verdict(hook['requests'], stored)}).",
    ]
