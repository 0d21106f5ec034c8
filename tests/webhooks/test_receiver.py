"""POST /cezannehr/api/v4/Lever/webhook/<subdomain>: every answer the receiver gives."""

import hashlib
import io
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.webhooks.conftest import CONTACT_ID, OPPORTUNITY_ID


def _deliveries(db):
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def _log(db):
    return db.session.scalars(select(LogEntry).order_by(LogEntry.id)).all()


def test_valid_hire_is_stored_then_enqueued(db, integration, enqueued, signed_body, post_webhook):
    body = signed_body()
    response = post_webhook(body)
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted"}
    [delivery] = _deliveries(db)
    assert delivery.integration_id == integration.id
    assert delivery.status == "queued"
    assert delivery.opportunity_id == body["data"]["opportunityId"]
    assert delivery.contact_id == body["data"]["contactId"]
    assert delivery.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert enqueued == [(delivery.id, 1)]


def test_only_the_event_its_time_and_the_ids_are_kept(
    db, integration, enqueued, signed_body, post_webhook
):
    body = signed_body()
    body["data"]["toStageId"] = "7c2690d8-6308-4ed9-ae2a-cbfe7db26593"
    post_webhook(body)
    [delivery] = _deliveries(db)
    assert body["token"] not in delivery.payload and body["signature"] not in delivery.payload
    assert json.loads(delivery.payload) == {
        "event": "candidateHired",
        "triggeredAt": body["triggeredAt"],
        "data": {"opportunityId": OPPORTUNITY_ID, "contactId": CONTACT_ID},
    }
    assert delivery.signature_hash == hashlib.sha256(body["signature"].encode()).hexdigest()


def test_subdomain_is_case_insensitive(db, integration, enqueued, signed_body, post_webhook):
    assert post_webhook(signed_body(), subdomain="cezannehr").status_code == 200


def test_legacy_candidate_id_is_the_opportunity(
    db, integration, enqueued, signed_body, post_webhook
):
    post_webhook(signed_body(data={"candidateId": "opp-legacy", "contactId": "c1"}))
    assert _deliveries(db)[0].opportunity_id == "opp-legacy"


@pytest.mark.committed
def test_repeat_of_a_delivery_does_no_new_work(
    db, integration, enqueued, signed_body, post_webhook
):
    body = signed_body()
    assert post_webhook(body).get_json() == {"status": "accepted"}
    again = post_webhook(body)
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate"}
    assert len(_deliveries(db)) == 1
    assert len(enqueued) == 1


def test_same_token_on_another_integration_is_not_a_repeat(
    db, integration, enqueued, signed_body, post_webhook, make_company
):
    from lever_cezanne.models import LeverIntegration

    other = LeverIntegration(
        subdomain="Other",
        signature_token_encrypted=integration.signature_token_encrypted,
        signature_token_last4="e089",
        admin_user_id=integration.admin_user_id,
        default_company_id=integration.default_company_id,
    )
    db.session.add(other)
    db.session.commit()
    body = signed_body()
    assert post_webhook(body).get_json()["status"] == "accepted"
    assert post_webhook(body, subdomain="Other").get_json()["status"] == "accepted"
    assert len(_deliveries(db)) == 2


@pytest.mark.parametrize("subdomain", ["NoSuchCompany", "Deleted"])
def test_unknown_or_deleted_subdomain_is_404(
    db, integration, enqueued, signed_body, post_webhook, subdomain
):
    integration.subdomain = subdomain
    integration.deleted_at = utcnow() if subdomain == "Deleted" else None
    db.session.commit()
    if subdomain == "NoSuchCompany":
        integration.subdomain = "CezanneHR"
        db.session.commit()
    response = post_webhook(signed_body(), subdomain=subdomain)
    assert response.status_code == 404
    assert "error" in response.get_json()
    assert _deliveries(db) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"\xff\xfe",
        "{}",
        {"triggeredAt": 1700000000123, "event": "h", "data": {}, "signature": "a"},
        {"token": "t", "event": "h", "data": {}, "signature": "a"},
        {"token": "t", "triggeredAt": 1700000000123, "event": "candidateHired", "data": {}},
        {"token": 5, "triggeredAt": 1, "event": "h", "data": {}, "signature": "a"},
        {"token": "", "triggeredAt": 1, "event": "h", "data": {}, "signature": "a"},
        {"token": "t" * 129, "triggeredAt": 1, "event": "e", "data": {}, "signature": "a"},
        {"token": "t", "triggeredAt": "1", "event": "h", "data": {}, "signature": "a"},
        {"token": "t", "triggeredAt": 1.5, "event": "h", "data": {}, "signature": "a"},
        {
            "token": "t",
            "triggeredAt": True,
            "event": "candidateHired",
            "data": {},
            "signature": "a",
        },
        {"token": "t", "triggeredAt": -1, "event": "h", "data": {}, "signature": "a"},
        {
            "token": "t",
            "triggeredAt": 10**14,
            "event": "candidateHired",
            "data": {},
            "signature": "a",
        },
        {"token": "t", "triggeredAt": 1, "event": "candidateHired", "data": {}, "signature": 7},
        {"token": "t", "triggeredAt": 1, "event": 7, "data": {}, "signature": "a"},
        {"token": "t", "triggeredAt": 1, "event": "candidateHired", "data": [], "signature": "a"},
    ],
)
def test_malformed_bodies_are_400_with_a_json_error(db, integration, enqueued, post_webhook, body):
    response = post_webhook(body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert _deliveries(db) == []


def test_bad_signature_is_401_and_logged(db, integration, enqueued, signed_body, post_webhook):
    body = signed_body()
    body["signature"] = "0" * 64
    response = post_webhook(body)
    assert response.status_code == 401
    assert _deliveries(db) == []
    [entry] = _log(db)
    assert entry.level == "error" and "signature did not match" in entry.message


@pytest.mark.parametrize("signature", ["é" * 64, "Ω", "\u0000" * 64, "A" * 64, ""])
def test_non_hex_or_non_ascii_signature_is_401_not_500(
    db, integration, enqueued, signed_body, post_webhook, signature
):
    body = signed_body()
    body["signature"] = signature
    assert post_webhook(body).status_code == 401


def test_bad_signature_log_rows_are_limited_to_one_a_minute(
    db, integration, enqueued, signed_body, post_webhook
):
    for _ in range(5):
        body = signed_body()
        body["signature"] = "f" * 64
        assert post_webhook(body).status_code == 401
    assert len(_log(db)) == 1
    # A minute later the next refusal is logged again.
    integration.last_bad_signature_logged_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    body = signed_body()
    body["signature"] = "f" * 64
    post_webhook(body)
    assert len(_log(db)) == 2


def test_body_over_the_limit_is_413_json(app, db, integration, enqueued, signed_body, post_webhook):
    body = signed_body(data={"opportunityId": "o", "padding": "x" * 70_000})
    response = post_webhook(body)
    assert response.status_code == 413
    assert response.get_json()["error"]
    assert _deliveries(db) == []


def test_body_over_the_limit_without_content_length_is_413(
    app, db, integration, enqueued, signed_body, client
):
    body = json.dumps(signed_body(data={"padding": "x" * 70_000})).encode()
    # A chunked request: no Content-Length, so only the capped read can stop it.
    response = client.post(
        "/cezannehr/api/v4/Lever/webhook/CezanneHR",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert response.status_code == 413


def test_ping_is_200_and_logged_without_a_delivery(
    db, integration, enqueued, signed_body, post_webhook
):
    response = post_webhook(signed_body(data={}))
    assert response.status_code == 200
    assert _deliveries(db) == []
    assert enqueued == []
    [entry] = _log(db)
    assert entry.level == "information"
    assert entry.message.startswith("Test webhook received from Lever; signature verified.")


@pytest.mark.parametrize(
    "event", ["candidateStageChange", "candidateArchiveChange", "applicationCreated"]
)
def test_other_events_are_stored_as_ignored(
    db, integration, enqueued, signed_body, post_webhook, event
):
    response = post_webhook(signed_body(event=event))
    assert response.status_code == 200
    assert response.get_json() == {"status": "ignored"}
    [delivery] = _deliveries(db)
    assert delivery.status == "ignored" and delivery.event == event
    assert enqueued == []


def test_queue_down_still_answers_200_and_leaves_the_delivery_received(
    db, integration, signed_body, post_webhook, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from lever_cezanne.deliveries import queue

    def down(delivery_id, attempt):
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(queue, "enqueue_delivery", down)
    response = post_webhook(signed_body())
    assert response.status_code == 200
    [delivery] = _deliveries(db)
    assert delivery.status == "received"


def test_failed_insert_is_the_only_5xx(
    db, integration, enqueued, signed_body, post_webhook, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from lever_cezanne.webhooks import services

    def broken(*args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "store_delivery", broken)
    response = post_webhook(signed_body())
    assert response.status_code == 503
    assert response.get_json()["error"]


def test_receiver_needs_no_csrf_token_or_login(
    app, db, integration, enqueued, signed_body, post_webhook
):
    app.config["WTF_CSRF_ENABLED"] = True
    assert post_webhook(signed_body()).status_code == 200


@pytest.mark.committed
def test_secrets_never_reach_the_logs(db, integration, enqueued, signed_body, post_webhook, caplog):
    caplog.set_level(logging.DEBUG)
    good, bad = signed_body(), signed_body()
    bad["signature"] = "e" * 64
    post_webhook(good)
    post_webhook(bad)
    post_webhook(good)
    text = caplog.text + " ".join(e.message for e in _log(db))
    assert "delivery" in caplog.text  # the receiver does log what it did
    for secret in (good["token"], good["signature"], bad["token"], integration_key()):
        assert secret not in text


def integration_key():
    return "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"


@pytest.mark.committed
def test_count_of_deliveries_is_exact_after_mixed_traffic(
    db, integration, enqueued, signed_body, post_webhook
):
    bodies = [signed_body() for _ in range(3)]
    for body in bodies + bodies:
        post_webhook(body)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 3


def test_unreadable_signature_token_is_503_so_lever_retries(
    app, db, integration, enqueued, signed_body, post_webhook
):
    app.config["ENCRYPTION_KEYS"] = ["Ymk0wcBNFbIWWNTdTUjK3trzVvWeHtvqvzkMUhyzAnE="]
    response = post_webhook(signed_body())
    assert response.status_code == 503
    assert "try again later" in response.get_json()["error"]
    assert _deliveries(db) == []


def test_a_null_byte_in_the_subdomain_is_404_not_500(db, integration, signed_body, post_webhook):
    response = post_webhook(signed_body(), subdomain="Cezanne%00HR")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_a_signed_body_with_null_bytes_is_400_not_a_retried_503(
    db, integration, enqueued, signed_body, post_webhook
):
    body = signed_body(event="candidate\x00Hired")
    response = post_webhook(body)
    assert response.status_code == 400 and "event" in response.get_json()["error"]
    body = signed_body(data={"opportunityId": "opp\x00-1", "contactId": "c\x00"})
    response = post_webhook(body)
    assert response.status_code == 200
    [delivery] = _deliveries(db)
    assert delivery.opportunity_id is None and delivery.contact_id is None


@pytest.mark.parametrize("raw", [b"[" * 50_000, b'{"a":' * 12_000])  # under the 64 KB limit
def test_json_nested_past_the_recursion_limit_is_400(db, integration, post_webhook, raw):
    response = post_webhook(raw)
    assert response.status_code == 400
    assert response.get_json() == {"error": "The body is not valid JSON."}


def test_a_token_that_is_not_printable_ascii_is_400(db, integration, post_webhook):
    raw = '{"token": "\\ud800", "triggeredAt": 1, "event": "candidateHired", "signature": "'
    response = post_webhook(raw + "0" * 64 + '"}')
    assert response.status_code == 400 and "token" in response.get_json()["error"]


def test_signed_data_with_a_lone_surrogate_is_stored_and_shown(
    db, integration, enqueued, signed_body, post_webhook, client, admin, login_as
):
    body = signed_body(data={"opportunityId": "opp-1", "contactId": "\udc80", "note": "\udc80"})
    response = post_webhook(json.dumps(body))
    assert response.status_code == 200
    [delivery] = _deliveries(db)
    assert delivery.contact_id is None
    add_log_entry(integration.id, "error", "x", delivery_id=delivery.id)
    db.session.commit()
    login_as(admin)
    assert client.get(f"/integrations/lever/{integration.id}/log").status_code == 200
