"""Token buckets that keep us under Lever's limit of 10 requests/s with bursts of 20.

With REDIS_URL set the bucket lives in Redis and is shared by every process (web and workers);
otherwise each process keeps its own. Callers wait for a token instead of firing and being
answered 429.
"""

import threading
import time

import redis
from flask import Flask, current_app

from lever_cezanne.lever.errors import LeverTransientError

DEFAULT_RATE = 10
DEFAULT_BURST = 20
MAX_WAIT = 10.0
# Two tokens of Lever's burst are kept in reserve. Requests reach Lever with jitter (the first on a
# new connection is slower than the next), so a bucket that matched Lever's exactly would now and
# then let a request arrive a few milliseconds before Lever's bucket had refilled: a 429.
HEADROOM = 2
# The catch-up sync is low priority: it takes a token only while this many more remain, so live
# webhooks' jobs, which take every token down to the last, always find some.
SYNC_RESERVE = 6
KEY_PREFIX = "lever-cezanne:lever-rate:"

# Refill, then take one token if there is one. Returns the seconds to wait before a token will be
# there ("0" = taken). Redis's own clock is used so that hosts with skewed clocks agree.
# The wait is returned as a string because Redis truncates Lua numbers to integers.
_TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local reserve = tonumber(ARGV[3]) or 0
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 + reserve then
  tokens = tokens - 1
else
  wait = (1 + reserve - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""

_redis_clients: dict[str, redis.Redis] = {}
_redis_lock = threading.Lock()


def _redis(url: str) -> redis.Redis:
    """Return one Redis client per URL for this process (its pool is reused)."""
    with _redis_lock:
        if url not in _redis_clients:
            _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=5)
        return _redis_clients[url]


class LocalBucket:
    """An in-process token bucket (thread-safe)."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.at = clock()
        self.lock = threading.Lock()

    def take(self, reserve: int = 0) -> float:
        """Take a token, leaving `reserve` more; return 0, or the seconds until one will be."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + max(0.0, now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1 + reserve:
                self.tokens -= 1
                return 0.0
            return (1 + reserve - self.tokens) / self.rate


class RedisBucket:
    """A token bucket in Redis, updated atomically by a Lua script."""

    def __init__(self, client: redis.Redis, key: str, rate: float, burst: int):
        self.key, self.rate, self.burst = key, rate, burst
        self._script = client.register_script(_TAKE_SCRIPT)

    def take(self, reserve: int = 0) -> float:
        """Take a token, leaving `reserve` more; return 0, or the seconds until one will be."""
        try:
            return float(self._script(keys=[self.key], args=[self.rate, self.burst, reserve]))
        except redis.RedisError as exc:
            raise LeverTransientError(
                "The rate limiter (Redis) is unreachable, so Lever was not called",
                detail=f"rate limiter {type(exc).__name__}",
            ) from exc


def rate_key(integration_id: int) -> str:
    """Return the Redis key of an integration's (so one Lever account's) bucket."""
    return f"{KEY_PREFIX}{integration_id}"


def bucket_for(integration_id: int, app: Flask | None = None):
    """Return the bucket for an integration, or None when the limit is lifted."""
    app = app or current_app._get_current_object()
    rate = app.config.get("LEVER_RATE_LIMIT", DEFAULT_RATE)
    if not rate:
        return None
    burst = int(app.config.get("LEVER_RATE_BURST", DEFAULT_BURST) or DEFAULT_BURST)
    burst = max(1, burst - HEADROOM)
    if app.config.get("REDIS_URL"):
        return RedisBucket(_redis(app.config["REDIS_URL"]), rate_key(integration_id), rate, burst)
    # Per app, not per module: each app (one per process in production, one per test) has its own.
    buckets = app.extensions.setdefault("lever_rate_buckets", {})
    with _redis_lock:
        key = (integration_id, rate, burst)
        if key not in buckets:
            buckets[key] = LocalBucket(float(rate), burst)
        return buckets[key]


def wait_for_token(bucket, max_wait: float = MAX_WAIT, sleep=time.sleep, reserve: int = 0) -> None:
    """Block until the bucket gives a token (leaving `reserve` for others); give up with
    LeverTransientError after max_wait."""
    if bucket is None:
        return
    waited = 0.0
    while True:
        wait = bucket.take(reserve) if reserve else bucket.take()
        if wait <= 0:
            return
        if waited + wait > max_wait:
            raise LeverTransientError(
                "Too many requests to Lever right now",
                retry_after=wait,
                detail="our Lever rate limit",
            )
        sleep(wait)
        waited += wait
