"""Throttle failed logins per account-and-client, and per client, in shared storage.

Each attempt takes its place in the counters *before* the password is checked (one atomic
increment), so simultaneous attempts cannot all pass a check made before any of them is counted;
a correct password gives its place back. The account's counter is keyed on the client too, so
nobody can lock a user out from other addresses, and on the account's session version, which a
new password bumps: an Administrator setting a new password lifts the block.
"""

import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string


@dataclass(frozen=True)
class Held:
    """The places one attempt holds in the account-and-client and the client counters."""

    account: tuple[str, RateLimitItem]
    client: tuple[str, RateLimitItem]


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt was refused, and for how many seconds."""

    retry_after: int
    account: bool  # the account-and-client counter (a new password lifts it), else the client's


class LoginThrottle:
    """Fixed-window failure counters in Redis (shared by every web process) or memory."""

    def __init__(self, storage_uri: str, account_limit: str, client_limit: str):
        self.account_limit = parse(account_limit)
        self.client_limit = parse(client_limit)
        self.storage = storage_from_string(storage_uri)

    def _counters(self, account: str, ip: str) -> list[tuple[str, RateLimitItem]]:
        client = ip or "unknown"
        return [
            (
                self.account_limit.key_for("login-account-client", account, client),
                self.account_limit,
            ),
            (self.client_limit.key_for("login-client", client), self.client_limit),
        ]

    def _retry_after(self, key: str) -> int:
        return max(1, math.ceil(self.storage.get_expiry(key) - time.time()))

    def attempt(self, account: str, ip: str) -> Held | Refusal:
        """Count one attempt; return the places it holds, or a Refusal when a counter is full.

        `account` identifies the account as it stands (see account_key).
        """
        held: list[tuple[str, RateLimitItem]] = []
        for position, (key, limit) in enumerate(self._counters(account, ip)):
            held.append((key, limit))
            if self.storage.incr(key, limit.get_expiry()) > limit.amount:
                refusal = Refusal(self._retry_after(key), account=position == 0)
                for taken, taken_limit in held:  # a refused attempt is not counted
                    self.storage.incr(taken, taken_limit.get_expiry(), -1)
                return refusal
        return Held(*held)

    def succeeded(self, held: "Held") -> None:
        """After a correct password: clear the account's counter, give the client's place back."""
        self.storage.clear(held.account[0])
        key, limit = held.client
        self.storage.incr(key, limit.get_expiry(), -1)


def account_key(username: str, user) -> str:
    """Identify the account: its id and session version (bumped by a new password), or the name."""
    if user is None:
        return "name:" + username.strip().lower()
    return f"user:{user.id}.{user.session_version}"


def init_app(app) -> None:
    """Attach the login throttle to the app."""
    app.extensions["login_throttle"] = LoginThrottle(
        app.config["RATELIMIT_STORAGE_URI"],
        app.config["LOGIN_FAILURE_LIMIT"],
        app.config["LOGIN_CLIENT_FAILURE_LIMIT"],
    )


def login_throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]
