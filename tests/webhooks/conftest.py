"""Receiver fixtures: an integration with a known signature token, and signed bodies."""

import json
import secrets
import time

import pytest

from lever_cezanne.deliveries import queue
from lever_cezanne.webhooks.signature import compute_signature

SIGNATURE_TOKEN = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"
OPPORTUNITY_ID = "250d8f03-738a-4bba-a671-8a3d73477145"
CONTACT_ID = "7f23e772-f2cb-4ebb-b33f-54b872999992"


@pytest.fixture
def signature_token():
    return SIGNATURE_TOKEN


@pytest.fixture
def enqueued(monkeypatch):
    """Record enqueues instead of running jobs, so receiver tests see only the receiver."""
    calls = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: calls.append((d, attempt)))
    return calls


def now_ms() -> int:
    """The current time as Lever's triggeredAt: milliseconds since the epoch."""
    return int(time.time() * 1000)


def _signed_body(event="candidateHired", data=None, token=None, triggered_at=None, **extra):
    """Build a Lever envelope signed with the integration's token."""
    token = token or secrets.token_hex(24)
    triggered_at = triggered_at or now_ms()
    body = {
        "triggeredAt": triggered_at,
        "event": event,
        "data": {"opportunityId": OPPORTUNITY_ID, "contactId": CONTACT_ID}
        if data is None
        else data,
        "token": token,
        "signature": compute_signature(SIGNATURE_TOKEN, token, triggered_at),
    }
    body.update(extra)
    return body


@pytest.fixture
def signed_body():
    return _signed_body


@pytest.fixture
def post_webhook(client):
    def post(body, subdomain="CezanneHR", **kwargs):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return client.post(
            f"/cezannehr/api/v4/Lever/webhook/{subdomain}",
            data=data,
            content_type=kwargs.pop("content_type", "application/json"),
            **kwargs,
        )

    return post
