"""The API's token-bucket rate limit and injected faults."""

import random


class TokenBucket:
    """Allow `rate` requests a second on average, in bursts of up to `burst`."""

    def __init__(self, rate: float | None, burst: int, clock):
        self.clock = clock
        self.configure(rate, burst)

    def configure(self, rate: float | None, burst: int) -> None:
        """Change the limits and refill the bucket."""
        self.rate = float(rate) if rate else 0.0
        self.burst = max(1, int(burst))
        self.tokens = float(self.burst)
        self.updated = self.clock()

    def take(self) -> bool:
        """Spend one token if there is one (caller holds the store lock)."""
        if not self.rate:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # Epoch floats near 1.8e9 lose ~1e-6 s, yet 0.1 s at 10/s must refill a whole token.
        if self.tokens >= 1 - 1e-5:
            self.tokens -= 1
            return True
        return False


class FaultInjector:
    """Decide which API calls fail with an injected 500 or 429."""

    def __init__(self, seed: int | None = None):
        # Simulation noise, not security: a seeded generator keeps test runs reproducible.
        self._random = random.Random(seed)  # noqa: S311

    def pick(self, rate_500: float, rate_429: float) -> int | None:
        """Return 500, 429 or None for one call."""
        roll = self._random.random()
        if roll < rate_500:
            return 500
        if roll < rate_500 + rate_429:
            return 429
        return None
