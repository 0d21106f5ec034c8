"""The client waits for Lever's rate limit instead of being answered 429."""

import os
import time

import pytest
import redis

from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import LeverTransientError
from lever_cezanne.lever.ratelimit import (
    SYNC_RESERVE,
    LocalBucket,
    RedisBucket,
    bucket_for,
    rate_key,
    wait_for_token,
)

REDIS_URL = os.environ.get("REDIS_URL")


def test_thirty_calls_wait_for_tokens_and_are_never_refused(app, lever_server, authorised):
    lever_server.store.set_rate_limit(10, 20)  # Lever's real limit
    app.config.update(LEVER_RATE_LIMIT=10, LEVER_RATE_BURST=20)
    if REDIS_URL:
        redis.Redis.from_url(REDIS_URL).delete(rate_key(authorised.id))
        app.config["REDIS_URL"] = REDIS_URL
    client = LeverClient.for_integration(authorised.id)

    started = time.monotonic()
    for _ in range(30):
        client.get_archive_reasons()
    elapsed = time.monotonic() - started

    assert lever_server.store.counters["rate_limited"] == 0
    assert elapsed >= 0.8  # 20 at once, then 10 more at 10 per second


def test_lifting_the_limit_does_not_wait(app, lever_server, authorised):
    app.config["LEVER_RATE_LIMIT"] = 0
    client = LeverClient.for_integration(authorised.id)
    started = time.monotonic()
    for _ in range(25):
        client.get_archive_reasons()
    assert time.monotonic() - started < 5


def test_waiting_is_bounded():
    bucket = LocalBucket(rate=0.01, burst=1)
    slept = []
    wait_for_token(bucket, max_wait=10, sleep=slept.append)
    with pytest.raises(LeverTransientError, match="tried again") as caught:
        wait_for_token(bucket, max_wait=10, sleep=slept.append)
    assert slept == []  # gave up at once: the next token is ~100 s away
    assert caught.value.retry_after > 10
    assert caught.value.detail == "our Lever rate limit"  # for the job's one retry line


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: the shared bucket needs Redis")
def test_redis_bucket_is_shared_between_processes(app):
    # Two connections stand for two worker processes taking from one Lever account's bucket.
    first, second = redis.Redis.from_url(REDIS_URL), redis.Redis.from_url(REDIS_URL)
    key = rate_key(999_001)
    first.delete(key)
    app.config.update(REDIS_URL=REDIS_URL, LEVER_RATE_LIMIT=10, LEVER_RATE_BURST=20)
    buckets = [bucket_for(999_001), RedisBucket(second, key, 10, 18)]
    assert isinstance(buckets[0], RedisBucket) and buckets[0].burst == 18  # 2 kept in reserve
    try:
        started = time.monotonic()
        immediate = sum(1 for n in range(30) if buckets[n % 2].take() == 0)
        refilled = int((time.monotonic() - started) * 10) + 1  # 10 per second while we ran
        assert 18 <= immediate <= 18 + refilled  # the shared burst, not 18 per process
        time.sleep(0.25)
        assert buckets[0].take() == 0  # refilled at 10 per second
    finally:
        first.delete(key)
        first.close()
        second.close()


def _sync_priority(bucket, clock=None):
    """Drain a bucket the way live webhooks do, and show the sync waits while they still get one."""
    live = sum(1 for _ in range(12) if bucket.take() == 0)
    assert live == 12  # 18 - 12 = 6 left: exactly the sync's reserve
    assert bucket.take(reserve=SYNC_RESERVE) > 0  # the sync waits...
    assert bucket.take() == 0  # ...while a live webhook's call still goes through


def test_the_sync_leaves_a_reserve_to_live_webhooks():
    now = [100.0]
    bucket = LocalBucket(rate=10, burst=18, clock=lambda: now[0])
    _sync_priority(bucket)
    assert bucket.take(reserve=SYNC_RESERVE) == pytest.approx((1 + SYNC_RESERVE - 5) / 10)
    now[0] += 10  # refilled: the sync may go while the reserve stays
    assert bucket.take(reserve=SYNC_RESERVE) == 0


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: the shared bucket needs Redis")
def test_the_sync_reserve_holds_in_the_shared_redis_bucket():
    connection = redis.Redis.from_url(REDIS_URL)
    key = rate_key(999_002)
    connection.delete(key)
    try:
        # A rate too slow to refill a token while the test runs.
        _sync_priority(RedisBucket(connection, key, 0.001, 18))
    finally:
        connection.delete(key)
        connection.close()


def test_a_low_priority_client_waits_for_the_reserve(app, lever_server, authorised):
    # A rate too slow to refill while the test runs: only the burst of 18 counts.
    app.config.update(LEVER_RATE_LIMIT=0.01, LEVER_RATE_BURST=20, LEVER_RATE_WAIT=0.05)
    live = LeverClient.for_integration(authorised.id)
    sync = LeverClient.for_integration(authorised.id, low_priority=True)
    for _ in range(12):
        live.get_archive_reasons()
    with pytest.raises(LeverTransientError):
        sync.get_archive_reasons()  # only 6 tokens left: the sync's reserve
    live.get_archive_reasons()
