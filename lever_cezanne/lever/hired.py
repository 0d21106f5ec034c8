"""Confirm with Lever that an opportunity is hired: archived with a reason of type "hired".

The webhook's data is only a hint (its signature does not cover it), so the job trusts what the
API says now. Archive reasons rarely change: they are cached per integration for ten minutes, in
Redis when there is one (shared by every worker), and read again once on an unknown reason id.
"""

from lever_cezanne.lever.cache import lever_cache

CACHE_SECONDS = 600
KEY_PREFIX = "lever:archive-reasons:"


def _fetch(client) -> dict[str, str]:
    return {r["id"]: r.get("type") for r in client.get_archive_reasons() if r.get("id")}


def reason_type(client, integration_id: int, reason_id: str) -> str | None:
    """Return "hired", "non-hired" or None for an archive reason id."""
    cache = lever_cache(KEY_PREFIX, CACHE_SECONDS)
    reasons = cache.get(str(integration_id))
    if reasons is None or reason_id not in reasons:
        # Unknown id: a reason added in Lever since we cached; read them again once.
        reasons = _fetch(client)
        cache.set(str(integration_id), reasons)
    return reasons.get(reason_id)


def is_hired(client, integration_id: int, opportunity: dict) -> bool:
    """Tell whether the opportunity is archived with a hired-type reason."""
    archived = opportunity.get("archived")
    if not isinstance(archived, dict) or not archived.get("reason"):
        return False
    return reason_type(client, integration_id, archived["reason"]) == "hired"
