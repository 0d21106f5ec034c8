"""Benchmark 5: peak RSS of one web worker and one RQ worker during these runs."""

import re
import threading

import requests

from benchmarks.dataset import ADMIN_PASSWORD, ADMIN_USERNAME
from benchmarks.helpers import Figure, app_env, child_pids, proc_status_kb
from benchmarks.search import COMPANY_QUERIES, USER_QUERIES
from benchmarks.seed import flush_redis
from benchmarks.servers import start_gunicorn

TITLE = "5. Memory: peak RSS of one web worker and one RQ worker"
TARGET_MB = 150
SIGN_INS = 8  # 2 workers × 4 threads: every thread busy signing someone in


def _mb(kb: int) -> float:
    return kb / 1024


def sign_in(base: str) -> dict:
    """Sign in over HTTP like a browser; return the session cookies."""
    with requests.Session() as browser:
        form = browser.get(base + "/auth/login", timeout=30)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
        # The production cookie is Secure; carry it by hand over plain HTTP.
        cookies = dict(form.cookies)
        answer = browser.post(
            base + "/auth/login",
            data={"csrf_token": token, "username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
            cookies=cookies,
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in answered {answer.status_code}")
        return cookies | dict(answer.cookies)


def browse(base: str, cookies: dict, integration_id: int) -> None:
    """What an HR professional does: the big lists, a deep page each, the pickers."""
    paths = [
        f"/integrations/lever/{integration_id}/log",
        f"/integrations/lever/{integration_id}/log?before=200",
        f"/integrations/lever/{integration_id}/log?level=error",
        "/people",
        "/people?after=200",
        "/people?q=oli",
        *(f"/admin/search/users?q={q}" for q in USER_QUERIES),
        *(f"/search/companies?q={q}" for q in COMPANY_QUERIES),
    ]
    for _ in range(3):
        for path in paths:
            response = requests.get(base + path, cookies=cookies, timeout=60)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")


def _worker_peak_kb(master: int) -> int:
    return max(proc_status_kb(pid, "VmHWM") or 0 for pid in child_pids(master))


def run(ctx, section) -> None:
    dataset = ctx.dataset.ensure()
    server, base = start_gunicorn(app_env(dataset.url), "gunicorn-memory")
    with server:
        workers = child_pids(server.pid)
        idle_kb = max(proc_status_kb(pid, "VmRSS") or 0 for pid in workers)
        boot_kb = _worker_peak_kb(server.pid)
        cookies = sign_in(base)
        signed_in_kb = _worker_peak_kb(server.pid)
        browse(base, cookies, dataset.integration_id)
        browsing_kb = _worker_peak_kb(server.pid)
        threads = [threading.Thread(target=sign_in, args=(base,)) for _ in range(SIGN_INS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sign_ins_kb = _worker_peak_kb(server.pid)
    flush_redis()
    idle = _mb(idle_kb)
    section.figures += [
        Figure("web worker after boot (VmHWM)", _mb(boot_kb), "MB", "RSS after boot", idle),
        Figure("web worker: one sign-in", _mb(signed_in_kb), "MB", "RSS after boot", idle),
        Figure("web worker: one sign-in, then browsing the big lists", _mb(browsing_kb), "MB",
               "RSS after boot", idle, f"< {TARGET_MB} MB", _mb(browsing_kb) < TARGET_MB),
        Figure(f"web worker: {SIGN_INS} simultaneous sign-ins", _mb(sign_ins_kb),
               "MB", "RSS after boot", idle, f"< {TARGET_MB} MB", _mb(sign_ins_kb) < TARGET_MB),
    ]  # fmt: skip
    for role, seen in ctx.memory.items():
        for entry in seen:
            peak = _mb(entry["peak_kb"])
            section.figures.append(
                Figure(f"{role} during {entry['during']}", peak, "MB", "RSS when ready",
                       _mb(entry["idle_kb"]), f"< {TARGET_MB} MB", peak < TARGET_MB)
            )  # fmt: skip
    if not ctx.memory:
        section.notes.append(
            "The webhook and pipeline benchmarks did not run in this invocation, so their peaks "
            "(web worker under webhook load, RQ worker) are not shown; run all benchmarks."
        )
    section.notes.append(
        "Peak = VmHWM from /proc/<pid>/status: of each gunicorn worker (the larger one is shown), "
        "and of the RQ worker and every work horse it forked (sampled every 50 ms while jobs ran). "
        "The web worker figures come from a gunicorn started with the Procfile's `web` line "
        "against the big data set: one sign-in over HTTP, then the Log tab, People list and "
        f"pickers three times; then {SIGN_INS} sign-ins at the same moment."
    )
