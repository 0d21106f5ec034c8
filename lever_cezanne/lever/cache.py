"""A cache of small Lever answers that rarely change: in Redis when there is one (shared by every
worker), else in this app's own memory. Values are stored as JSON, never pickled, so what Redis
holds cannot run code when it is read back."""

import json

from cachelib import BaseCache, RedisCache, SimpleCache
from flask import current_app

from lever_cezanne.redis_client import redis_connection


class _JSONSerializer:
    def dumps(self, value) -> bytes:
        return json.dumps(value).encode()

    def loads(self, raw: bytes | None):
        return json.loads(raw) if raw else None


class _JSONRedisCache(RedisCache):
    serializer = _JSONSerializer()


def lever_cache(key_prefix: str, seconds: int) -> BaseCache:
    """The cache for one kind of answer, its keys under `key_prefix`, each kept `seconds`."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        return _JSONRedisCache(redis_connection(), key_prefix=key_prefix, default_timeout=seconds)
    caches = app.extensions.setdefault("lever_caches", {})
    return caches.setdefault(key_prefix, SimpleCache(default_timeout=seconds))
