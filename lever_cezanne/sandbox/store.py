"""The simulator's state: one lock, optional JSON persistence, and its core actions."""

import contextlib
import copy
import json
import secrets
import threading
import time
import uuid

from . import records, seed
from .deliveries import DeliveryService
from .limits import FaultInjector, TokenBucket
from .oauth import OAuthService
from .persistence import StateFile, get_webhook_signature_token, new_signature_token, read_state

EVENT = "candidateHired"
COUNTERS = ("token_calls", "token_calls_authorization_code", "token_calls_refresh_token")
COUNTERS += ("api_calls", "rate_limited", "faults_500", "faults_429", "notes_created")


class NotFound(LookupError):
    """No candidate or delivery with that id."""


class AlreadyHired(ValueError):
    """The candidate is already archived as hired."""


class SandboxStore:
    """Hold every record of the simulated Lever account behind one lock."""

    def __init__(self, config: dict, clock=time.time):
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.state = self._load()
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.busy_answered: dict[str, int] = {}  # download path -> busy answers given so far
        self.settings = {
            "rate_limit": config["RATE_LIMIT"] or None,
            "rate_burst": int(config["RATE_BURST"]),
            "access_token_ttl": int(config["ACCESS_TOKEN_TTL"]),
            "fault_500_rate": float(config["FAULT_500_RATE"] or 0),
            "fault_429_rate": float(config["FAULT_429_RATE"] or 0),
            "latency_ms": int(config["LATENCY_MS"] or 0),
        }
        self.bucket = TokenBucket(
            self.settings["rate_limit"], self.settings["rate_burst"], self.now
        )
        self.faults = FaultInjector(config.get("FAULT_SEED"))
        self.file = StateFile(config["STATE_PATH"], self._snapshot)
        self.oauth = OAuthService(self)
        self.deliveries = DeliveryService(self)
        self.file.changed()  # persist what loading created (keys, seed, token)

    def now(self) -> float:
        """Return the store clock (replaceable in tests)."""
        return self.clock()

    def _load(self) -> dict:
        """Read the saved state and fill in whatever it lacks."""
        path = self.config["STATE_PATH"]
        state = read_state(path)
        now_ms = int(self.clock() * 1000)
        state.setdefault("signing_key", secrets.token_hex(32))
        state.setdefault("kid", secrets.token_hex(8))
        state.setdefault("account_id", str(uuid.uuid4()))
        token = self.config["SIGNATURE_TOKEN"] or get_webhook_signature_token(path)
        webhook = state.setdefault("webhook", {})
        if self.config["SIGNATURE_TOKEN"] or not webhook.get("signature_token"):
            webhook["signature_token"] = token
        webhook.setdefault("url", self.config["WEBHOOK_URL"])
        webhook.setdefault("event", EVENT)
        webhook.setdefault("enabled", True)
        state.setdefault("users", seed.users(now_ms - 365 * seed.DAY_MS))
        state.setdefault("archive_reasons", copy.deepcopy(seed.ARCHIVE_REASONS))
        for key in ("codes", "grants", "refresh_tokens", "deliveries"):
            state.setdefault(key, {})
        if "candidates" not in state:
            state["candidates"] = {}
            if self.config["SEED"]:
                for spec in seed.CANDIDATES:
                    candidate = records.build_candidate(spec, now_ms)
                    state["candidates"][candidate["opportunity"]["id"]] = candidate
        for delivery in state["deliveries"].values():
            if delivery["status"] in ("pending", "retrying"):
                delivery["status"] = "interrupted"  # retries do not survive a restart
        return state

    def _snapshot(self) -> str:
        """Serialise the state under the lock."""
        with self.lock:
            return json.dumps(self.state, ensure_ascii=False)

    @contextlib.contextmanager
    def mutate(self):
        """Change the state under the lock, then persist it (outside the lock)."""
        try:
            with self.lock:
                yield self.state
        finally:
            self.file.changed()

    def count(self, name: str, amount: int = 1) -> None:
        """Bump a runtime counter."""
        with self.lock:
            self.counters[name] += amount

    # Candidates ---------------------------------------------------------------

    def candidate(self, opportunity_id: str) -> dict:
        """Return a copy of one candidate or raise NotFound."""
        with self.lock:
            found = self.state["candidates"].get(opportunity_id)
            if found is None:
                raise NotFound(opportunity_id)
            return copy.deepcopy(found)

    def candidates(self) -> list[dict]:
        """Return copies of every candidate, newest first."""
        with self.lock:
            return copy.deepcopy(list(reversed(self.state["candidates"].values())))

    def add_candidate(self, spec: dict, deterministic: bool = False) -> str:
        """Create a candidate from a spec (see seed.CANDIDATES) and return its id."""
        candidate = records.build_candidate(spec, int(self.clock() * 1000), deterministic)
        with self.mutate() as state:
            state["candidates"][candidate["opportunity"]["id"]] = candidate
        return candidate["opportunity"]["id"]

    def hire(self, opportunity_id: str) -> dict | None:
        """Archive a candidate as Hired and send Candidate Hired; return the delivery."""
        delivery = self._archive_hired(opportunity_id)
        if delivery is None:
            return None
        self.deliveries.send(delivery["id"])
        return self.delivery(delivery["id"])

    def hire_without_webhook(self, opportunity_id: str) -> None:
        """Archive a candidate as Hired and lose its Candidate Hired webhook (it is never sent),
        as when Lever gave up retrying: only a catch-up sync can find this hire."""
        with self.mutate() as state:
            candidate = state["candidates"].get(opportunity_id)
            if candidate is None:
                raise NotFound(opportunity_id)
            archived = candidate["opportunity"]["archived"]
            if archived and archived["reason"] == seed.HIRED_REASON_ID:
                raise AlreadyHired(opportunity_id)
            records.archive(candidate, seed.HIRED_REASON_ID, int(self.clock() * 1000))

    def _archive_hired(self, opportunity_id: str) -> dict | None:
        """Archive with the Hired reason and record the (unsent) delivery."""
        with self.mutate() as state:
            candidate = state["candidates"].get(opportunity_id)
            if candidate is None:
                raise NotFound(opportunity_id)
            archived = candidate["opportunity"]["archived"]
            if archived and archived["reason"] == seed.HIRED_REASON_ID:
                raise AlreadyHired(opportunity_id)
            records.archive(candidate, seed.HIRED_REASON_ID, int(self.clock() * 1000))
            data = {
                "opportunityId": opportunity_id,
                "candidateId": opportunity_id,
                "contactId": candidate["contact"]["id"],
            }
            return self.deliveries.create(state, EVENT, data, candidate["opportunity"]["name"])

    def bulk_hire(self, n: int) -> list[str]:
        """Create n synthetic candidates with signed offers, hire them all; return their ids."""
        ids, deliveries = [], []
        for _ in range(n):
            # 48 random bits: with 24, two of 1,000 candidates shared an e-mail (so Cezanne HR
            # linked the second hire to the first person) in about one run in thirty.
            number = secrets.token_hex(6)
            spec = {
                "name": f"Bulk Candidate {number}",
                "emails": [f"bulk.{number}@example.com"],
                "phones": [
                    {"type": "mobile", "value": f"+44 7700 9{int(number, 16) % 100000:05d}"}
                ],
                "location": "London, UK",
                "offer": {"status": "signed", "start_in_days": 30, "title": "Associate"},
            }
            ids.append(self.add_candidate(spec))
            delivery = self._archive_hired(ids[-1])
            if delivery:
                deliveries.append(delivery["id"])
        for delivery_id in deliveries:
            self.deliveries.send(delivery_id)
        return ids

    def move_stage(self, opportunity_id: str, stage: str = "applicant-new") -> dict:
        """Unarchive a candidate and put it in a stage; return the opportunity."""
        with self.mutate() as state:
            candidate = state["candidates"].get(opportunity_id)
            if candidate is None:
                raise NotFound(opportunity_id)
            records.set_stage(candidate, stage, int(self.clock() * 1000))
            return copy.deepcopy(candidate["opportunity"])

    # Webhooks -----------------------------------------------------------------

    def webhook(self) -> dict:
        """Return the Candidate Hired webhook settings."""
        with self.lock:
            return dict(self.state["webhook"])

    def set_webhook_url(self, url: str) -> None:
        """Point the Candidate Hired webhook at a URL (empty disables sending)."""
        with self.mutate() as state:
            state["webhook"]["url"] = url.strip()

    def regenerate_signature_token(self) -> str:
        """Replace the webhook's signature token with a fresh one."""
        with self.mutate() as state:
            state["webhook"]["signature_token"] = new_signature_token()
            return state["webhook"]["signature_token"]

    def ping(self) -> dict | None:
        """Send Lever's test request (data is empty); return the delivery."""
        with self.mutate() as state:
            delivery = self.deliveries.create(state, EVENT, {}, None)
        if delivery is None:
            return None
        self.deliveries.send(delivery["id"])
        return self.delivery(delivery["id"])

    def rerun(self, delivery_id: str) -> dict | None:
        """Re-send a delivery's body; return the new delivery."""
        return self.deliveries.rerun(delivery_id)

    def delivery(self, delivery_id: str) -> dict:
        """Return a copy of one delivery or raise NotFound."""
        with self.lock:
            found = self.state["deliveries"].get(delivery_id)
            if found is None:
                raise NotFound(delivery_id)
            return copy.deepcopy(found)

    def delivery_log(self) -> list[dict]:
        """Return copies of the deliveries, newest first."""
        with self.lock:
            return copy.deepcopy(list(reversed(self.state["deliveries"].values())))

    # Settings -----------------------------------------------------------------

    def revoke(self, client_id: str | None = None) -> int:
        """Revoke an authorized app (default: ours); return the grants revoked."""
        return self.oauth.revoke(client_id)

    def set_faults(self, fault_500_rate=None, fault_429_rate=None, latency_ms=None) -> dict:
        """Change the injected failure shares (0–1) and added latency; return settings."""
        with self.lock:
            for key, value in (
                ("fault_500_rate", fault_500_rate),
                ("fault_429_rate", fault_429_rate),
                ("latency_ms", latency_ms),
            ):
                if value is not None:
                    self.settings[key] = max(0.0, float(value))
            self.settings["latency_ms"] = int(self.settings["latency_ms"])
            return dict(self.settings)

    def set_rate_limit(self, rate=None, burst=None) -> dict:
        """Change the token bucket (rate None or 0 lifts the limit); return settings."""
        with self.lock:
            self.settings["rate_limit"] = rate or None
            if burst is not None:
                self.settings["rate_burst"] = int(burst)
            self.bucket.configure(self.settings["rate_limit"], self.settings["rate_burst"])
            return dict(self.settings)

    def set_access_token_ttl(self, seconds: int) -> dict:
        """Change the lifetime of access tokens issued from now on."""
        with self.lock:
            self.settings["access_token_ttl"] = int(seconds)
            return dict(self.settings)

    def flush(self) -> None:
        """Write the state file now (no-op in memory)."""
        self.file.flush()
