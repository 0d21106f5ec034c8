"""A Lever user is read once per integration for ten minutes: the same managers hire again."""

import itertools
import json
import os

import pytest

from lever_cezanne.lever import users

_ids = itertools.count(2000)


class FakeLever:
    def __init__(self, integration_id, known):
        self.integration_id, self.known, self.calls = integration_id, known, 0

    def find_user(self, user_id):
        self.calls += 1
        return self.known.get(user_id)


MANAGER = {"id": "u-1", "name": "Mia Manager", "email": "mia@example.com", "photo": "x"}


def test_a_user_is_asked_for_once_and_keeps_only_name_and_email(app):
    lever = FakeLever(next(_ids), {"u-1": MANAGER})
    assert users.find_user(lever, "u-1") == {"name": "Mia Manager", "email": "mia@example.com"}
    assert users.resolver(lever)("u-1")["email"] == "mia@example.com"
    assert lever.calls == 1


def test_an_unknown_user_is_asked_for_again(app):
    lever = FakeLever(next(_ids), {})
    assert users.find_user(lever, "u-9") is None
    lever.known["u-9"] = MANAGER  # added in Lever since
    assert users.find_user(lever, "u-9")["name"] == "Mia Manager"
    assert lever.calls == 2


def test_each_integration_has_its_own_users(app):
    first, second = FakeLever(next(_ids), {"u-1": MANAGER}), FakeLever(next(_ids), {})
    assert users.find_user(first, "u-1") is not None
    assert users.find_user(second, "u-1") is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")
def test_with_redis_a_user_is_shared_as_json_for_ten_minutes(app):
    from lever_cezanne.redis_client import redis_connection

    app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    lever = FakeLever(next(_ids), {"u-1": MANAGER})
    key = f"lever:users:{lever.integration_id}:u-1"
    redis_connection().delete(key)
    users.find_user(lever, "u-1")
    assert json.loads(redis_connection().get(key)) == {
        "name": "Mia Manager",
        "email": "mia@example.com",
    }
    assert 590 < redis_connection().ttl(key) <= 600
    assert users.find_user(FakeLever(lever.integration_id, {}), "u-1")["name"] == "Mia Manager"
    redis_connection().delete(key)


def test_a_user_without_a_usable_e_mail_is_asked_for_again(app):
    lever = FakeLever(next(_ids), {"u-2": {"id": "u-2", "name": "No Mail", "email": None}})
    assert users.find_user(lever, "u-2") == {"name": "No Mail", "email": None}
    lever.known["u-2"] = {**lever.known["u-2"], "email": "nomail@example.com"}  # fixed in Lever
    assert users.find_user(lever, "u-2")["email"] == "nomail@example.com"
    assert lever.calls == 2
