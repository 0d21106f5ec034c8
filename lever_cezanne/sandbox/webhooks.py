"""Sign and deliver Lever webhooks, retrying failures with growing delays (lever-api.md §4)."""

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import queue
import secrets
import threading
import time

import requests

log = logging.getLogger(__name__)
USER_AGENT = "Lever-Webhooks"


def sign(signature_token: str, token: str, triggered_at: int) -> str:
    """HMAC-SHA256 of token + str(triggeredAt), keyed with the raw signature token."""
    message = f"{token}{triggered_at}".encode()
    return hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()


def build_body(event: str, data: dict, signature_token: str | None, triggered_at: int) -> dict:
    """Build a delivery body; Lever omits the signature when no token exists."""
    token = secrets.token_hex(24)
    body = {"triggeredAt": triggered_at, "event": event, "data": data, "token": token}
    if signature_token:
        body["signature"] = sign(signature_token, token, triggered_at)
    return body


def post(url: str, body_text: str, timeout: float) -> tuple[int | None, str | None]:
    """POST once; return (status code, error) without following redirects."""
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
    try:
        # A session per delivery, closed at once: no pooled sockets outlive the attempt.
        with requests.Session() as session:
            session.headers.clear()  # Lever sends only its two headers
            response = session.post(
                url,
                data=body_text.encode(),
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            )
            response.close()
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]
    return response.status_code, None


class Scheduler:
    """Run attempts on a few daemon threads, each at or after its due time."""

    def __init__(self, workers: int, run):
        self._run = run
        self._workers = max(1, workers)
        self._heap: list = []
        self._due: queue.Queue = queue.Queue()
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._started = False

    def schedule(self, delay: float, *args) -> None:
        """Queue run(*args) to start after delay seconds."""
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), args))
            if not self._started:
                self._start()
            self._cond.notify()

    def _start(self) -> None:
        """Start the timer thread and the workers (lazily, never at import or app build)."""
        self._started = True
        threading.Thread(target=self._timer, name="lever-webhook-timer", daemon=True).start()
        for number in range(self._workers):
            name = f"lever-webhook-{number}"
            threading.Thread(target=self._worker, name=name, daemon=True).start()

    def _timer(self) -> None:
        """Move due entries from the heap to the worker queue."""
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                _, _, args = heapq.heappop(self._heap)
            self._due.put(args)

    def _worker(self) -> None:
        """Run due attempts; a failure must never kill the thread."""
        while True:
            args = self._due.get()
            try:
                self._run(*args)
            except Exception:
                log.exception("webhook attempt %s failed unexpectedly", args)


def dumps(body: dict) -> str:
    """Serialise a body the same way on every attempt."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
