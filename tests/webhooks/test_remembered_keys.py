"""The receiver's remembered signature key: one statement per webhook, never a stale acceptance."""

import pytest
from sqlalchemy import func, select

from lever_cezanne import deliveries
from lever_cezanne.crypto import encrypt
from lever_cezanne.integration.pause import pause
from lever_cezanne.integration.services import delete_integration
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.webhooks.keys import SigningKeys, signing_keys
from lever_cezanne.webhooks.signature import compute_signature
from tests.webhooks.conftest import now_ms


def _count(db):
    return db.session.scalar(select(func.count()).select_from(WebhookDelivery))


@pytest.mark.committed
def test_a_known_integration_costs_one_statement_per_webhook(
    app, db, integration, signed_body, post_webhook, statements
):
    # With Redis the receiver only stores (the insert's NOTIFY wakes the dispatcher): a Redis
    # nobody listens on proves it is never called.
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    assert post_webhook(signed_body()).get_json() == {"status": "accepted"}  # reads the key
    statements.clear()
    assert post_webhook(signed_body()).get_json() == {"status": "accepted"}
    if db.engine.dialect.name == "postgresql":
        assert statements == []  # on the thread's own connection: test_receiver_connection.py
    else:
        [insert] = statements
        assert insert.lstrip().upper().startswith("INSERT INTO WEBHOOK_DELIVERIES")
    assert db.session.scalars(select(WebhookDelivery.status)).all() == ["received", "received"]


def test_the_key_is_remembered_per_app_and_never_shown(
    app, integration, enqueued, signed_body, post_webhook
):
    post_webhook(signed_body())
    remembered = signing_keys().get("cezannehr")
    assert remembered.integration_id == integration.id
    assert remembered.key not in repr(remembered)


@pytest.mark.committed
def test_a_changed_token_refuses_bodies_signed_with_the_old_one(
    db, integration, enqueued, signed_body, post_webhook
):
    assert post_webhook(signed_body()).status_code == 200  # the old key is remembered now
    integration.signature_token_encrypted = encrypt("a-new-token-pasted-from-lever")
    db.session.commit()
    response = post_webhook(signed_body())  # still signed with the old token
    assert response.status_code == 401
    assert _count(db) == 1
    token, triggered_at = "b" * 48, now_ms()
    fresh = {
        "event": "candidateHired",
        "token": token,
        "triggeredAt": triggered_at,
        "signature": compute_signature("a-new-token-pasted-from-lever", token, triggered_at),
        "data": {"opportunityId": "250d8f03-738a-4bba-a671-8a3d73477146"},
    }
    assert post_webhook(fresh).get_json() == {"status": "accepted"}
    assert _count(db) == 2


@pytest.mark.committed
def test_the_same_token_saved_again_is_read_again_and_accepted(
    db, integration, enqueued, signed_body, post_webhook
):
    from tests.webhooks.conftest import SIGNATURE_TOKEN

    post_webhook(signed_body())
    integration.signature_token_encrypted = encrypt(SIGNATURE_TOKEN)  # a new ciphertext
    db.session.commit()
    assert post_webhook(signed_body()).get_json() == {"status": "accepted"}
    assert signing_keys().get("cezannehr").ciphertext == integration.signature_token_encrypted


@pytest.mark.committed
def test_a_deleted_integration_answers_404_at_once(
    db, integration, enqueued, signed_body, post_webhook
):
    post_webhook(signed_body())
    delete_integration(integration)
    db.session.commit()
    assert post_webhook(signed_body()).status_code == 404
    assert _count(db) == 1
    assert signing_keys().get("cezannehr") is None


@pytest.mark.committed
def test_a_renamed_subdomain_no_longer_answers_to_the_old_one(
    db, integration, enqueued, signed_body, post_webhook
):
    post_webhook(signed_body())
    integration.subdomain = "renamed"
    db.session.commit()
    assert post_webhook(signed_body()).status_code == 404
    assert post_webhook(signed_body(), subdomain="Renamed").status_code == 200
    assert _count(db) == 2


@pytest.mark.committed
def test_pausing_holds_the_next_hire_though_the_key_is_remembered(
    db, integration, admin, enqueued, signed_body, post_webhook
):
    post_webhook(signed_body())
    pause(integration, admin)
    db.session.commit()
    assert post_webhook(signed_body()).get_json() == {"status": "held"}
    [_, held] = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    assert held.status == "held"
    assert len(enqueued) == 1


@pytest.mark.committed
def test_a_repeat_and_other_events_keep_their_answers(
    db, integration, enqueued, signed_body, post_webhook
):
    body = signed_body()
    post_webhook(body)
    assert post_webhook(body).get_json() == {"status": "duplicate"}
    assert post_webhook(signed_body(event="candidateStageChange")).get_json() == {
        "status": "ignored"
    }
    assert post_webhook(signed_body(data={})).get_json() == {"status": "ping"}
    stale = signed_body(triggered_at=now_ms() - 30 * 24 * 3600 * 1000)
    assert post_webhook(stale).status_code == 400
    assert _count(db) == 2


def test_a_failed_one_statement_insert_is_503(
    db, integration, enqueued, signed_body, post_webhook, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    post_webhook(signed_body())

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("the database is gone"))

    monkeypatch.setattr(deliveries, "store_signed", broken)
    response = post_webhook(signed_body())
    assert response.status_code == 503
    assert "send it again" in response.get_json()["error"]


def test_the_memory_is_bounded():
    keys = SigningKeys()
    for n in range(300):
        keys.remember(n, f"sub{n}", "ciphertext", "key")
    assert keys.get("sub299") is not None
    assert sum(keys.get(f"sub{n}") is not None for n in range(300)) <= 256


@pytest.mark.committed
def test_a_forged_webhook_in_a_flood_costs_a_read_and_a_claim(
    db, integration, signed_body, post_webhook, statements
):
    """The careful path's refusal: read the integration, try to claim this minute's Error row.
    Nothing more, so a flood of forged bodies costs the database as little as it can."""
    forged = signed_body(signature="0" * 64)
    assert post_webhook(forged).status_code == 401  # claims the minute and writes its row
    statements.clear()
    assert post_webhook(signed_body(signature="1" * 64)).status_code == 401
    kinds = [statement.lstrip().split()[0].upper() for statement in statements]
    assert kinds == ["SELECT", "UPDATE"], statements
