"""Throttle failed logins per account and per client IP."""

import time

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Count failed logins in a moving window in shared storage (Redis when configured)."""

    def __init__(self, storage_uri: str, limit: str):
        self.limit = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _keys(self, username: str, ip: str) -> list[tuple[str, str]]:
        return [("login-account", username.strip().lower()), ("login-ip", ip or "unknown")]

    def retry_after(self, username: str, ip: str) -> int:
        """Return seconds until a login may be tried again, or 0 when not throttled."""
        waits = []
        for key in self._keys(username, ip):
            if not self.limiter.test(self.limit, *key):
                reset_at, _remaining = self.limiter.get_window_stats(self.limit, *key)
                waits.append(max(1, int(reset_at - time.time()) + 1))
        return max(waits, default=0)

    def record_failure(self, username: str, ip: str) -> None:
        """Count one failed login against the account and the IP."""
        for key in self._keys(username, ip):
            self.limiter.hit(self.limit, *key)

    def reset(self) -> None:
        """Forget every count (tests)."""
        self.limiter.storage.reset()


def init_app(app) -> None:
    """Attach the login throttle to the app."""
    app.extensions["login_throttle"] = LoginThrottle(
        app.config["RATELIMIT_STORAGE_URI"], app.config["LOGIN_FAILURE_LIMIT"]
    )


def login_throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]
