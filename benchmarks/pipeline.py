"""Benchmark 2: hires through the RQ worker against the Lever simulator, limited and not."""

import os
import time

import requests
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.serializers import JSONSerializer

from benchmarks.helpers import (
    REDIS_URL,
    Figure,
    app_env,
    bench_database,
    pg_connect,
    proc_status_kb,
    wait_until,
)
from benchmarks.seed import (
    CALLBACK,
    authorise,
    flush_redis,
    lever_config,
    seed_organisation,
    webhook_path,
)
from benchmarks.servers import (
    PeakSampler,
    Service,
    cpu_of,
    procfile_command,
    start_gunicorn,
    start_simulator,
)
from lever_cezanne.deliveries.commands import DEFAULT_THREADS

TITLE = "2. Hires through RQ against the Lever simulator (10 req/s, bursts of 20, then unlimited)"
DATABASE = "lc_bench_pipeline"
SIGNATURE_TOKEN = "bench-pipeline-signature-token-0123456789"
QUEUE = "lever"
LIMIT, BURST = 10, 20
# Issue 12: 1,000 rate-limited hires with ONE worker in at most 1.05 × the floor.
LIMITED_WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
FLOOR_TARGET = 1.05
LIMITED_COMMAND = procfile_command("worker")
TERMINAL = ("completed", "partial", "failed", "ignored")


class Lever:
    """The simulator's admin JSON."""

    def __init__(self, base: str):
        self.base = base

    def post(self, path: str, body: dict) -> dict:
        response = requests.post(self.base + path, json=body, timeout=120)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict:
        return requests.get(self.base + "/_admin/state", timeout=30).json()["counters"]


def _redis() -> Redis:
    return Redis.from_url(REDIS_URL)


def _workers_registered(redis: Redis) -> int:
    return len(Worker.all(connection=redis))


def start_workers(
    env: dict, count: int, command: str | None = None, name: str = "rq-worker"
) -> list[Service]:
    """Start RQ workers and wait until each has registered with Redis (ready to take jobs); each
    logs to LOG_DIR/<name>-<n>.log."""
    command = command or procfile_command("worker")
    redis = _redis()
    before = _workers_registered(redis)
    workers = [Service(f"{name}-{n}", command, env) for n in range(count)]

    def ready() -> bool:
        for worker in workers:
            worker.check_alive()
        return _workers_registered(redis) >= before + count

    try:
        wait_until(ready, 60, 0.02, "RQ workers to register")
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    finally:
        redis.close()
    return workers


def _db_counts(url: str) -> dict:
    with pg_connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        # Webhooks only: the catch-up sync (run when the worker starts) may store a hire whose
        # webhook it overtook; that delivery then completes as the same hire, creating nothing.
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM webhook_deliveries WHERE source = 'webhook' "
                "GROUP BY 1"
            )
        )
        levels = dict(conn.execute("SELECT level, count(*) FROM log_entries GROUP BY 1"))
        return {
            "deliveries": sum(statuses.values()),
            "statuses": statuses,
            "done": sum(n for s, n in statuses.items() if s in TERMINAL),
            "people": one("SELECT count(*) FROM people"),
            "person_codes": one("SELECT count(DISTINCT person_code) FROM people"),
            "employments": one("SELECT count(*) FROM employments"),
            "tasks": one("SELECT count(*) FROM tasks"),
            "errors": levels.get("error", 0),
            "warnings": levels.get("warning", 0),
        }


def _epoch(url: str, sql: str) -> float:
    with pg_connect(url) as conn:
        return float(conn.execute(f"SELECT extract(epoch FROM ({sql}))").fetchone()[0])  # noqa: S608


def _wait_done(url: str, target: int, timeout: float) -> dict:
    return wait_until(
        lambda: (c := _db_counts(url))["done"] >= target and c,
        timeout,
        0.2,
        f"{target} deliveries to finish",
    )


def run(ctx, section) -> None:
    hires = 300 if ctx.quick else 1000
    flush_redis()
    with bench_database(DATABASE) as url:
        integration_id = seed_organisation(url, SIGNATURE_TOKEN)
        settings = {
            "SIGNATURE_TOKEN": SIGNATURE_TOKEN,
            "RATE_LIMIT": LIMIT,
            "RATE_BURST": BURST,
            "REDIRECT_URIS": CALLBACK,
            "SEED": "0",
            "WEBHOOK_URL": "",
        }
        simulator, sim_base = start_simulator(settings)
        with simulator:
            env = app_env(url, **lever_config(sim_base))
            web, base = start_gunicorn(env, "gunicorn-pipeline")
            with web:
                lever = Lever(sim_base)
                lever.post("/_admin/webhook", {"url": base + webhook_path()})
                authorise(url, integration_id, sim_base)
                _limited(ctx, section, url, lever, env, hires)
                _unlimited(ctx, section, url, lever, env, hires)
    flush_redis()


def _limited(ctx, section, url, lever, env, hires) -> None:
    """All hires at Lever's limit, with one worker (BENCH_WORKERS) and the client-side bucket."""
    workers = start_workers(env, LIMITED_WORKERS, LIMITED_COMMAND, "rq-worker-limited")
    try:
        before, counters = _db_counts(url), lever.counters()
        started = time.perf_counter()
        lever.post("/_admin/bulk-hire", {"n": hires})
        bulk_seconds = time.perf_counter() - started
        # A hire takes about 6 Lever calls now (opportunity, offers, user, resumes, two
        # documents): wait for up to 10 each before calling it stuck.
        after = _wait_done(url, before["done"] + hires, hires / LIMIT * 10 + 120)
        counted = lever.counters()
    finally:
        for worker in workers:
            worker.stop()
    total = _epoch(url, "SELECT max(completed_at) - min(received_at) FROM webhook_deliveries")
    calls = {k: counted[k] - counters[k] for k in counters}
    needed = calls["api_calls"] - calls["rate_limited"] - calls["faults_429"] - calls["faults_500"]
    floor = needed / LIMIT
    failed = FailedJobRegistry(QUEUE, connection=_redis(), serializer=JSONSerializer).count
    _check(section, "rate-limited", before, after, hires, failed)
    section.figures.append(
        Figure(f"{hires} hires at 10 req/s: total time", total, "s", "floor (calls ÷ 10/s)",
               floor, f"≤ {FLOOR_TARGET}× floor", total <= FLOOR_TARGET * floor)
    )  # fmt: skip
    section.notes.append(
        f"Rate-limited phase: {LIMITED_WORKERS} worker(s) (`{LIMITED_COMMAND}`), the "
        f"simulator served alone (one gunicorn process, 8 threads, keep-alive) at {LIMIT} req/s "
        f"with bursts of {BURST}, "
        f"webhooks sent by the simulator's bulk-hire to gunicorn (Procfile `web`). Time from the "
        f"first webhook received to the last delivery completed. Lever calls: "
        f"{calls['api_calls']} ({calls['rate_limited']} answered 429 by the simulator's limit, "
        f"{needed} needed), token calls {calls['token_calls']}. bulk-hire itself took "
        f"{bulk_seconds:.1f} s. Deliveries by status: {after['statuses']}."
    )


def _check(section, phase: str, before: dict, after: dict, hires: int, failed: int) -> None:
    """Nothing lost or duplicated, and no 429 surfaced as an error."""
    new = {k: after[k] - before[k] for k in ("people", "person_codes", "employments", "tasks")}
    new |= {k: after[k] - before[k] for k in ("errors", "deliveries")}
    exact = all(new[k] == hires for k in ("people", "person_codes", "employments", "tasks"))
    section.figures += [
        Figure(f"{phase}: people / employments / tasks created", new["people"], "",
               note=f"{new['employments']} employments, {new['tasks']} tasks", target=
               f"exactly {hires} each", passed=exact and new["deliveries"] == hires),
        Figure(f"{phase}: Error rows and failed jobs", new["errors"] + failed, "", target="0",
               passed=new["errors"] + failed == 0),
    ]  # fmt: skip
    section.notes.append(
        f"{phase}: {new['deliveries']} deliveries, {new['people']} people "
        f"({new['person_codes']} distinct Person Codes), {new['employments']} employments, "
        f"{new['tasks']} tasks, {new['errors']} Error rows, {failed} failed RQ jobs."
    )


def _drain(env: dict, command: str, prefix: str, expected: int) -> dict:
    """Start one worker on a full queue; return its CPU, peak RSS and the jobs' time span."""
    redis = _redis()
    registry = FinishedJobRegistry(QUEUE, connection=redis, serializer=JSONSerializer)
    failed = FailedJobRegistry(QUEUE, connection=redis, serializer=JSONSerializer)
    start = registry.count + failed.count
    seen = set(registry.get_job_ids())
    with PeakSampler(0.05) as peaks:
        (worker,) = start_workers(env, 1, command, f"rq-worker-{prefix.rstrip('-')}")
        with worker:  # stopped however the wait ends
            peaks.watch("rq", worker.pid)
            idle_kb, cpu_ready = proc_status_kb(worker.pid, "VmRSS") or 0, cpu_of(worker)
            wait_until(
                lambda: registry.count + failed.count >= start + expected,
                expected / 2 + 120,
                0.1,
                f"{expected} {prefix} jobs to finish",
            )
            cpu = cpu_of(worker) - cpu_ready
    ids = [i for i in registry.get_job_ids() if i.startswith(prefix) and i not in seen]
    jobs = [j for j in Job.fetch_many(ids, connection=redis, serializer=JSONSerializer) if j]
    span = max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)
    failures = len([i for i in failed.get_job_ids() if i.startswith(prefix)])
    redis.close()
    # Not wait4's ru_maxrss: a child inherits its parent's high-water mark at fork (ours).
    peak = peaks.peaks_kb.get("rq", 0)
    return {"seconds": span.total_seconds(), "cpu": cpu, "peak_kb": peak, "idle_kb": idle_kb,
            "failed": failures, "jobs": len(jobs)}  # fmt: skip


def _waiting(url: str) -> int:
    """Deliveries stored and not yet processed."""
    with pg_connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM webhook_deliveries WHERE status IN ('received', 'queued')"
        ).fetchone()[0]


def _unlimited(ctx, section, url, lever, env, hires) -> None:
    """One worker, Lever's limit lifted: the worker's own throughput and CPU per hire."""
    hires, noops = hires // 2, max(100, hires // 4)  # a steady rate, and the run stays short
    lever.post("/_admin/settings", {"rate_limit": 0, "rate_burst": BURST})
    env = dict(env, LEVER_RATE_LIMIT="0")  # the app's own bucket (lever_cezanne.lever.ratelimit)
    command = procfile_command("worker")
    redis = _redis()
    queue = Queue(QUEUE, connection=redis, serializer=JSONSerializer)
    for n in range(noops):
        queue.enqueue("benchmarks.rq_noop.noop", n, job_id=f"noop-{n}", result_ttl=3600)
    noop = _drain(env, command, "noop-", noops)
    before = _db_counts(url)
    lever.post("/_admin/bulk-hire", {"n": hires})
    # The receiver only stores; the worker's dispatcher queues them when it starts.
    wait_until(lambda: _waiting(url) >= hires, 120, 0.2, "the webhooks to be stored")
    hired = _drain(env, command, "delivery-", hires)
    after = _db_counts(url)
    redis.close()
    _check(section, "unlimited", before, after, hires, hired["failed"])
    rate, noop_rate = hired["jobs"] / hired["seconds"], noop["jobs"] / noop["seconds"]
    cpu_ms, noop_cpu_ms = hired["cpu"] / hires * 1000, noop["cpu"] / noops * 1000
    section.figures += [
        Figure("one worker, no limit: hires/s", rate, "hires/s", "no-op jobs/s", noop_rate,
               "≥ 50 hires/s", rate >= 50),
        Figure("one worker: CPU per hire (worker + work horses)", cpu_ms, "ms",
               "CPU per no-op job", noop_cpu_ms),
    ]  # fmt: skip
    ctx.note_memory("RQ worker (with its work horses)", hired["peak_kb"], hired["idle_kb"],
                    "unlimited hires")  # fmt: skip
    section.notes.append(
        f"Unlimited phase: the simulator's limit lifted (`rate_limit: 0`) and the app's own "
        f"bucket too (`LEVER_RATE_LIMIT=0`); one worker process (`{command}`, "
        f"{os.environ.get('WORKER_THREADS') or DEFAULT_THREADS} jobs at a time on its threads) "
        f"started with {hires} hires stored (its dispatcher queues them); rate = jobs ÷ (last "
        f"job ended − first job started), from RQ's job records. CPU = user+system of the "
        f"worker and its reaped work horses, from /proc/<pid>/stat, from registration to the "
        f"last job. Baseline: {noops} jobs of `benchmarks.rq_noop.noop` through the same worker "
        f"command."
    )
