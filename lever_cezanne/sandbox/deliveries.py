"""The webhook delivery log: create, attempt, retry and rerun deliveries."""

import logging
import time
import uuid

from . import webhooks

log = logging.getLogger(__name__)
# Lever keeps the last 1,000; keep more so a 1,000-hire benchmark can inspect each one.
LOG_LIMIT = 5000


class DeliveryService:
    """Deliveries live in the store's state; attempts run inline or on the scheduler."""

    def __init__(self, store):
        self.store = store
        config = store.config
        self.delays = [float(delay) for delay in config["WEBHOOK_RETRY_DELAYS"]]
        self.timeout = float(config["WEBHOOK_TIMEOUT"])
        self.sync = bool(config["WEBHOOK_SYNC"])
        self.scheduler = webhooks.Scheduler(int(config["WEBHOOK_WORKERS"]), self._attempt)

    def create(self, state: dict, event: str, data: dict, name: str | None) -> dict | None:
        """Record a signed delivery to the configured URL (caller holds the lock)."""
        webhook = state["webhook"]
        if not webhook["url"] or not webhook["enabled"]:
            return None
        body = webhooks.build_body(
            event, data, webhook["signature_token"], int(self.store.clock() * 1000)
        )
        return self._record(state, body, name, webhook["url"])

    def _record(self, state: dict, body: dict, name: str | None, url: str, **extra) -> dict:
        """Append a pending delivery to the log, dropping the oldest past the limit."""
        delivery = {
            "id": str(uuid.uuid4()),
            "event": body["event"],
            "opportunity_id": body["data"].get("opportunityId"),
            "candidate_name": name,
            "url": url,
            "body": body,
            "status": "pending",
            "attempts": [],
            "created_at": int(self.store.clock() * 1000),
            "rerun_of": None,
            **extra,
        }
        log_ = state["deliveries"]
        log_[delivery["id"]] = delivery
        while len(log_) > LOG_LIMIT:
            del log_[next(iter(log_))]
        return delivery

    def rerun(self, delivery_id: str) -> dict | None:
        """Send an earlier delivery's exact body again, as a new log entry."""
        with self.store.mutate() as state:
            original = state["deliveries"].get(delivery_id)
            if original is None:
                return None
            url = state["webhook"]["url"] or original["url"]
            delivery = self._record(
                state, original["body"], original["candidate_name"], url, rerun_of=delivery_id
            )
        self.send(delivery["id"])
        return self.store.delivery(delivery["id"])

    def send(self, delivery_id: str) -> None:
        """Start delivering: now in this thread (WEBHOOK_SYNC) or in the background."""
        if self.sync:
            attempt = 0
            while self._attempt(delivery_id, attempt):
                time.sleep(self.delays[attempt])
                attempt += 1
        else:
            self.scheduler.schedule(0, delivery_id, 0)

    def _attempt(self, delivery_id: str, attempt: int) -> bool:
        """Make one attempt; schedule (or, in sync mode, ask for) a retry on failure."""
        with self.store.lock:
            delivery = self.store.state["deliveries"].get(delivery_id)
            if delivery is None:
                return False
            url, body_text = delivery["url"], webhooks.dumps(delivery["body"])
        started = time.monotonic()
        status_code, error = webhooks.post(url, body_text, self.timeout)
        ok = status_code is not None and 200 <= status_code < 300
        retry = not ok and attempt < len(self.delays)
        with self.store.mutate() as state:
            delivery = state["deliveries"].get(delivery_id)
            if delivery is None:
                return False
            delivery["attempts"].append(
                {
                    "at": int(self.store.clock() * 1000),
                    "status_code": status_code,
                    "error": error,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                }
            )
            delivery["status"] = "succeeded" if ok else ("retrying" if retry else "failed")
        if retry and not self.sync:
            self.scheduler.schedule(self.delays[attempt], delivery_id, attempt + 1)
        if not ok:
            log.info(
                "webhook %s attempt %d failed: %s", delivery_id, attempt + 1, status_code or error
            )
        return retry
