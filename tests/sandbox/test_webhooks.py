"""Webhooks: signing vectors, delivery to a live receiver, retries, ping, rerun, re-hire."""

import hashlib
import hmac
import re
import time

import pytest

from lever_cezanne.sandbox import create_app
from lever_cezanne.sandbox.seed import HIRED_REASON_ID, opportunity_id
from lever_cezanne.sandbox.store import AlreadyHired
from lever_cezanne.sandbox.webhooks import build_body, sign

from .helpers import Receiver, make_config

VECTOR_KEY = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"
MARY = opportunity_id("Mary Anne Elizabeth Smith")
HEX48 = re.compile(r"^[0-9a-f]{48}$")


@pytest.mark.parametrize(
    ("token", "triggered_at", "expected"),
    [
        (
            "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",
            1431454330072,
            "d8138ffefd31f34fd9ef6ab358881a2ac5d138287c38186688985ea7755ec241",
        ),
        (
            "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5c6",
            1700000000123,
            "4fb7f1e37d00e96cfc18c1c994e09f5f51204a487c0f6f61369d9d656502378e",
        ),
    ],
)
def test_signature_matches_lever_test_vectors(token, triggered_at, expected):
    assert sign(VECTOR_KEY, token, triggered_at) == expected


def test_body_without_a_signature_token_has_no_signature():
    body = build_body("candidateHired", {}, None, 1)
    assert "signature" not in body
    assert HEX48.match(body["token"])


def _verify(body: dict, signature_token: str) -> bool:
    message = f"{body['token']}{body['triggeredAt']}".encode()
    digest = hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest, body["signature"])


def test_hire_posts_a_signed_candidate_hired_webhook(store, receiver):
    delivery = store.hire(MARY)
    assert delivery["status"] == "succeeded"
    [request] = receiver.requests
    assert request["path"] == "/webhook/demo"
    assert request["headers"]["User-Agent"] == "Lever-Webhooks"
    assert request["headers"]["Content-Type"] == "application/json"
    # Only transport headers besides Lever's two: no signature or event headers.
    transport = {"Host", "Content-Length", "Accept-Encoding"}
    assert set(request["headers"]) <= transport | {"User-Agent", "Content-Type"}
    [body] = receiver.bodies()
    assert set(body) == {"triggeredAt", "event", "data", "signature", "token"}
    assert body["event"] == "candidateHired"
    assert isinstance(body["triggeredAt"], int)
    assert abs(body["triggeredAt"] - time.time() * 1000) < 60_000
    candidate = store.candidate(MARY)
    assert body["data"] == {
        "opportunityId": MARY,
        "candidateId": MARY,
        "contactId": candidate["contact"]["id"],
    }
    assert HEX48.match(body["token"])
    assert HEX48.match(store.webhook()["signature_token"])
    assert _verify(body, store.webhook()["signature_token"])
    assert not _verify(body, "0" * 48)
    assert candidate["opportunity"]["archived"]["reason"] == HIRED_REASON_ID


def test_rehire_needs_a_stage_move_and_sends_a_new_token(store, receiver):
    store.hire(MARY)
    with pytest.raises(AlreadyHired):
        store.hire(MARY)
    moved = store.move_stage(MARY, "offer")
    assert moved["archived"] is None and moved["stage"] == "offer"
    store.hire(MARY)
    first, second = receiver.bodies()
    assert first["token"] != second["token"]
    assert second["data"]["opportunityId"] == MARY
    assert _verify(second, store.webhook()["signature_token"])


def test_test_button_sends_lever_ping(store, receiver):
    delivery = store.ping()
    [body] = receiver.bodies()
    assert body["event"] == "candidateHired"
    assert body["data"] == {}
    assert _verify(body, store.webhook()["signature_token"])
    assert delivery["opportunity_id"] is None


def test_failures_are_retried_with_the_same_body(store, receiver):
    receiver.statuses = [500, 503]
    delivery = store.hire(MARY)
    assert delivery["status"] == "succeeded"
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [500, 503, 200]
    raws = {request["raw"] for request in receiver.requests}
    assert len(receiver.requests) == 3 and len(raws) == 1


def test_redirects_count_as_failures_and_are_not_followed(store, receiver):
    receiver.statuses = [302] * 6
    delivery = store.hire(MARY)
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 6  # the first try and five retries
    assert {request["path"] for request in receiver.requests} == {"/webhook/demo"}


def test_connection_errors_are_logged_and_retried(store):
    receiver = Receiver()
    url = receiver.url
    receiver.close()  # nothing listens on that port any more
    store.set_webhook_url(url)
    delivery = store.hire(MARY)
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 6
    assert all(attempt["status_code"] is None for attempt in delivery["attempts"])
    assert "ConnectionError" in delivery["attempts"][-1]["error"]


def test_rerun_resends_the_same_body(store, receiver):
    receiver.statuses = [500] * 6
    original = store.hire(MARY)
    assert original["status"] == "failed"
    rerun = store.rerun(original["id"])
    assert rerun["status"] == "succeeded"
    assert rerun["rerun_of"] == original["id"]
    assert receiver.requests[-1]["raw"] == receiver.requests[0]["raw"]
    assert [d["id"] for d in store.delivery_log()[:2]] == [rerun["id"], original["id"]]


def test_no_url_archives_without_sending(store):
    assert store.hire(MARY) is None
    assert store.candidate(MARY)["opportunity"]["archived"]["reason"] == HIRED_REASON_ID


def test_bulk_hire_sends_one_webhook_per_new_candidate(store, receiver):
    ids = store.bulk_hire(5)
    assert len(set(ids)) == 5
    assert sorted(body["data"]["opportunityId"] for body in receiver.bodies()) == sorted(ids)
    offers = store.candidate(ids[0])["offers"]
    assert offers[0]["status"] == "signed"


def test_background_delivery_with_retries():
    receiver = Receiver()
    receiver.statuses = [500]
    config = make_config(WEBHOOK_SYNC=False, WEBHOOK_URL=receiver.url)
    store = create_app(config).extensions["lever_sandbox"]
    try:
        store.bulk_hire(3)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            statuses = [d["status"] for d in store.delivery_log()]
            if statuses == ["succeeded"] * 3:
                break
            time.sleep(0.02)
        assert statuses == ["succeeded"] * 3
        assert len(receiver.requests) == 4
    finally:
        receiver.close()


def test_admin_hire_returns_the_delivery(sandbox_client, receiver):
    response = sandbox_client.post(f"/_admin/candidates/{MARY}/hire", json={})
    assert response.status_code == 200
    assert response.json["delivery"]["status"] == "succeeded"
    assert sandbox_client.post(f"/_admin/candidates/{MARY}/hire", json={}).status_code == 409
    missing = sandbox_client.post("/_admin/candidates/nope/hire", json={})
    assert missing.status_code == 404
    state = sandbox_client.get("/_admin/state").json
    assert state["deliveries"][0]["last_status_code"] == 200
    assert state["deliveries"][0]["attempts"] == 1
