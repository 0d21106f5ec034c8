"""What the receiver refuses (security review, issue 12 part 5): forged variants, stale bodies,
ping floods, huge payloads and ids that would change the URL the client calls.
"""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.webhooks import services
from lever_cezanne.webhooks.envelope import Envelope, EnvelopeError, parse_envelope
from lever_cezanne.webhooks.freshness import is_fresh
from lever_cezanne.webhooks.signature import compute_signature
from tests.webhooks.conftest import CONTACT_ID, OPPORTUNITY_ID, SIGNATURE_TOKEN, now_ms

DAY_MS = 24 * 3600 * 1000
MINUTE_MS = 60 * 1000


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _digit_moving_variants(token: str, triggered_at: int) -> list[tuple[str, int]]:
    """Every other split of token + triggeredAt into a token and a JSON integer timestamp.

    Lever signs the concatenation with no separator, so each split carries the same signature.
    """
    message = f"{token}{triggered_at}"
    variants = []
    for cut in range(1, len(message)):
        head, tail = message[:cut], message[cut:]
        if tail.isdigit() and tail[0] != "0" and (head, int(tail)) != (token, triggered_at):
            variants.append((head, int(tail)))
    return variants


@pytest.fixture
def captured(integration, enqueued, post_webhook, signed_body):
    """A signed hire body an attacker copied, already delivered once."""
    # Ends in digits, so digits can also move from the token into triggeredAt.
    token = "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5c6"
    # Ending in nine 9s (at most 11.6 days old, inside the window), so the cuts inside it give
    # the same variants whatever the clock says: a 0 digit would make some of them invalid.
    triggered_at = now_ms() - 5 * MINUTE_MS
    triggered_at -= triggered_at % 10**9 + 1
    body = signed_body(token=token, triggered_at=triggered_at)
    assert post_webhook(body).get_json() == {"status": "accepted"}
    return body


@pytest.mark.committed
def test_every_forged_digit_moving_variant_is_refused(db, captured, post_webhook):
    variants = _digit_moving_variants(captured["token"], captured["triggeredAt"])
    assert len(variants) >= 11  # the review's body gave 11 accepted variants
    for token, triggered_at in variants:
        assert compute_signature(SIGNATURE_TOKEN, token, triggered_at) == captured["signature"]
        response = post_webhook({**captured, "token": token, "triggeredAt": triggered_at})
        assert response.status_code == 400, (token, triggered_at, response.get_json())
    assert _count(db, WebhookDelivery) == 1


def test_the_signature_alone_deduplicates_a_variant(db, captured, integration):
    """Defence in depth: were the token shape and window checks gone, the signature still is."""
    for token, triggered_at in _digit_moving_variants(captured["token"], captured["triggeredAt"]):
        forged = Envelope("candidateHired", token, triggered_at, captured["signature"], {})
        assert services.store_delivery(integration, forged) is None
    assert _count(db, WebhookDelivery) == 1


@pytest.mark.parametrize(
    "token",
    [
        "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5c",  # 47
        "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5c61",  # 49
        "9C1F0D4E2B7A48D3A5E6F7081B2C3D4E5F60718293A4B5C6",  # uppercase
        "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5cg",  # not hex
        "9c1f0d4e2b7a48d3a5e6f7081b2c3d4e5f60718293a4b5c6\n",
    ],
)
def test_a_token_not_shaped_like_levers_is_400(db, integration, post_webhook, signed_body, token):
    response = post_webhook(signed_body(token=token))
    assert response.status_code == 400
    assert "48 lowercase hex" in response.get_json()["error"]
    with pytest.raises(EnvelopeError):
        parse_envelope(json.dumps(signed_body(token=token)).encode())
    assert _count(db, WebhookDelivery) == 0


def test_levers_documented_tokens_have_the_accepted_shape():
    for token in (
        "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",  # lever-api.md §4.2
        "657fd5a0759c87d35660b096dbc388d1d31058869f08ce3f",  # the Test button's sample
    ):
        body = {"token": token, "triggeredAt": 1431454330072, "event": "e", "signature": "0"}
        assert parse_envelope(json.dumps(body).encode()).token == token


def test_the_window_is_15_days_back_and_5_minutes_ahead():
    now = utcnow()
    now_ms_ = int(now.timestamp() * 1000)
    assert is_fresh(now_ms_, now)
    assert is_fresh(now_ms_ - 15 * DAY_MS, now)
    assert not is_fresh(now_ms_ - 15 * DAY_MS - 1, now)
    assert is_fresh(now_ms_ + 5 * MINUTE_MS, now)
    assert not is_fresh(now_ms_ + 5 * MINUTE_MS + 1, now)


@pytest.mark.parametrize(
    "offset_ms,accepted",
    [(-14 * DAY_MS, True), (4 * MINUTE_MS, True), (-16 * DAY_MS, False), (6 * MINUTE_MS, False)],
)
def test_triggered_at_outside_the_window_is_refused(
    db, integration, enqueued, post_webhook, signed_body, offset_ms, accepted
):
    response = post_webhook(signed_body(triggered_at=now_ms() + offset_ms))
    if accepted:
        assert response.get_json() == {"status": "accepted"}
        return
    assert response.status_code == 400
    assert "more than 15 days old" in response.get_json()["error"]
    assert _count(db, WebhookDelivery) == 0 and enqueued == []
    [entry] = db.session.scalars(select(LogEntry)).all()
    assert entry.level == "warning"
    assert "more than 15 days old or more than 5 minutes ahead" in entry.message


def test_stale_refusals_write_one_log_row_a_minute(
    db, integration, enqueued, post_webhook, signed_body
):
    for _ in range(20):
        assert post_webhook(signed_body(triggered_at=now_ms() - 30 * DAY_MS)).status_code == 400
    assert _count(db, LogEntry) == 1
    integration.last_stale_logged_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    post_webhook(signed_body(triggered_at=now_ms() - 30 * DAY_MS))
    assert _count(db, LogEntry) == 2


def test_200_replayed_pings_write_one_log_row(db, integration, enqueued, post_webhook, signed_body):
    ping = signed_body(data={})
    for _ in range(200):
        response = post_webhook(ping)
        assert response.status_code == 200 and response.get_json() == {"status": "ping"}
    assert _count(db, LogEntry) == 1
    assert _count(db, WebhookDelivery) == 0


@pytest.mark.committed
def test_a_hire_body_replayed_as_a_ping_adds_no_row_within_the_minute(
    db, integration, enqueued, post_webhook, signed_body
):
    post_webhook(signed_body(data={}))  # Lever's Test button
    hire = signed_body()
    assert post_webhook(hire).get_json() == {"status": "accepted"}
    # `data` is unsigned: the same token and signature with data emptied "is" a ping.
    for _ in range(10):
        assert post_webhook({**hire, "data": {}}).get_json() == {"status": "ping"}
    assert _count(db, LogEntry) == 1
    integration.last_ping_logged_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    post_webhook(signed_body(data={}))
    assert _count(db, LogEntry) == 2


def _deep_data(target_bytes: int) -> dict:
    """The review's body: the ids, then arrays nested deep enough to explode when indented."""
    nested: list = ["leaf"]
    for _ in range(400):
        nested = [nested, "x" * 16]
    data = {"opportunityId": OPPORTUNITY_ID, "contactId": CONTACT_ID, "deep": [nested]}
    data["more"] = [[["y" * 50] * 10] * 10] * 4
    data["pad"] = "z" * max(0, target_bytes - len(json.dumps(data)))
    return data


def test_a_61_kb_deep_body_stores_a_small_payload_and_the_log_stays_fast(
    db, client, integration, enqueued, post_webhook, signed_body, admin, login_as
):
    body = signed_body(data=_deep_data(61_000))
    raw = json.dumps(body)
    assert 58_000 < len(raw) < 64 * 1024
    assert post_webhook(raw).get_json() == {"status": "accepted"}
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    stored = db.session.scalar(select(WebhookDelivery.payload))
    assert len(stored) < 400
    assert json.loads(stored)["data"] == {"opportunityId": OPPORTUNITY_ID, "contactId": CONTACT_ID}
    for n in range(50):  # a full Log page, every row naming the delivery
        add_log_entry(integration.id, "error", f"Row {n}", delivery_id=delivery.id)
    db.session.commit()
    login_as(admin)
    page = client.get(f"/integrations/lever/{integration.id}/log")
    assert page.status_code == 200
    # The review measured a 59 MB page (11 s): the page carries no payload, only its link.
    assert len(page.data) < 100_000 and b"xxxxxxxxxxxxxxxx" not in page.data
    payload = client.get(f"/integrations/lever/{integration.id}/deliveries/{delivery.id}/payload")
    assert payload.data.decode() == stored


def test_long_or_odd_values_are_capped_in_the_stored_payload(
    db, integration, enqueued, post_webhook, signed_body
):
    data = {
        "opportunityId": "o" * 5_000,
        "candidateId": [1, 2, 3],
        "contactId": {"nested": "object"},
        "applicationId": "not kept",
    }
    post_webhook(signed_body(data=data))
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.opportunity_id is None and delivery.contact_id is None
    kept = json.loads(db.session.scalar(select(WebhookDelivery.payload)))["data"]
    assert kept == {
        "opportunityId": "o" * 100 + "… (5000 characters, shortened)",
        "candidateId": "(a JSON array, not kept)",
        "contactId": "(a JSON object, not kept)",
    }


def test_nan_in_data_is_stored_as_text_the_browser_can_read(
    db, integration, enqueued, post_webhook, signed_body
):
    raw = json.dumps(signed_body(data={"opportunityId": OPPORTUNITY_ID, "contactId": 0.5}))
    post_webhook(raw.replace('"contactId": 0.5', '"contactId": NaN'))
    stored = db.session.scalar(select(WebhookDelivery.payload))
    assert "NaN" not in stored and json.loads(stored)["data"]["contactId"] == "nan"


@pytest.mark.parametrize("odd", [".", "..", "../users", "a/b", "%2e%2e", "opp 1"])
def test_an_id_that_would_change_the_url_is_not_kept_as_an_id(
    db, integration, enqueued, post_webhook, signed_body, odd
):
    response = post_webhook(signed_body(data={"opportunityId": odd, "contactId": odd}))
    assert response.get_json() == {"status": "accepted"}
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.opportunity_id is None and delivery.contact_id is None
    # What Lever sent stays visible on the Log tab, for whoever has to find out why.
    assert json.loads(db.session.scalar(select(WebhookDelivery.payload)))["data"] == {
        "opportunityId": odd,
        "contactId": odd,
    }
