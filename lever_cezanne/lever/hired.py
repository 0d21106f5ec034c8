"""Confirm with Lever that an opportunity is hired: archived with a reason of type "hired".

The webhook's data is only a hint (its signature does not cover it), so the job trusts what the
API says now. Archive reasons rarely change: they are cached per integration for ten minutes, in
Redis when there is one (shared by every worker), and read again once on an unknown reason id.
"""

import json
import threading
import time

from flask import current_app

from lever_cezanne.redis_client import redis_connection

CACHE_SECONDS = 600
_local: dict[int, tuple[float, dict[str, str]]] = {}
_local_lock = threading.Lock()


def _cache_key(integration_id: int) -> str:
    return f"lever:archive-reasons:{integration_id}"


def _read_cache(integration_id: int) -> dict[str, str] | None:
    if current_app.config.get("REDIS_URL"):
        raw = redis_connection().get(_cache_key(integration_id))
        return json.loads(raw) if raw else None
    with _local_lock:
        found = _local.get(integration_id)
    if found and time.monotonic() - found[0] < CACHE_SECONDS:
        return found[1]
    return None


def _write_cache(integration_id: int, reasons: dict[str, str]) -> None:
    if current_app.config.get("REDIS_URL"):
        redis_connection().set(_cache_key(integration_id), json.dumps(reasons), ex=CACHE_SECONDS)
        return
    with _local_lock:
        _local[integration_id] = (time.monotonic(), reasons)


def _fetch(client) -> dict[str, str]:
    return {r["id"]: r.get("type") for r in client.get_archive_reasons() if r.get("id")}


def reason_type(client, integration_id: int, reason_id: str) -> str | None:
    """Return "hired", "non-hired" or None for an archive reason id."""
    reasons = _read_cache(integration_id)
    if reasons is None or reason_id not in reasons:
        # Unknown id: a reason added in Lever since we cached; read them again once.
        reasons = _fetch(client)
        _write_cache(integration_id, reasons)
    return reasons.get(reason_id)


def is_hired(client, integration_id: int, opportunity: dict) -> bool:
    """Tell whether the opportunity is archived with a hired-type reason."""
    archived = opportunity.get("archived")
    if not isinstance(archived, dict) or not archived.get("reason"):
        return False
    return reason_type(client, integration_id, archived["reason"]) == "hired"
