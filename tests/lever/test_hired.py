"""A hire is confirmed from Lever's archive reasons, cached per integration."""

import itertools
import json
import os

import pytest

from lever_cezanne.lever import hired

HIRED, OTHER = "reason-hired", "reason-timing"
_ids = itertools.count(1000)


class FakeLever:
    def __init__(self, reasons):
        self.reasons, self.calls = reasons, 0

    def get_archive_reasons(self, type_=None):
        self.calls += 1
        return [{"id": key, "type": value} for key, value in self.reasons.items()]


def _opportunity(reason):
    return {"id": "o", "archived": {"archivedAt": 1, "reason": reason} if reason else None}


def test_only_a_hired_type_reason_counts(app):
    lever, integration_id = FakeLever({HIRED: "hired", OTHER: "non-hired"}), next(_ids)
    assert hired.is_hired(lever, integration_id, _opportunity(HIRED))
    assert not hired.is_hired(lever, integration_id, _opportunity(OTHER))
    assert not hired.is_hired(lever, integration_id, _opportunity(None))
    assert lever.calls == 1  # cached after the first look-up


def test_an_unknown_reason_refreshes_the_cache_once(app):
    lever, integration_id = FakeLever({OTHER: "non-hired"}), next(_ids)
    assert not hired.is_hired(lever, integration_id, _opportunity(OTHER))
    lever.reasons["new-hired-reason"] = "hired"  # added in Lever since we cached
    assert hired.is_hired(lever, integration_id, _opportunity("new-hired-reason"))
    assert lever.calls == 2
    assert not hired.is_hired(lever, integration_id, _opportunity("never-heard-of"))
    assert lever.calls == 3


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")
def test_with_redis_the_reasons_are_shared_as_json_for_ten_minutes(app):
    from lever_cezanne.redis_client import redis_connection

    app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    lever, integration_id = FakeLever({HIRED: "hired"}), next(_ids)
    key = f"lever:archive-reasons:{integration_id}"
    redis_connection().delete(key)
    assert hired.is_hired(lever, integration_id, _opportunity(HIRED))
    assert json.loads(redis_connection().get(key)) == {HIRED: "hired"}  # JSON, not a pickle
    assert 590 < redis_connection().ttl(key) <= 600
    assert hired.is_hired(FakeLever({}), integration_id, _opportunity(HIRED))  # from Redis
    redis_connection().delete(key)
