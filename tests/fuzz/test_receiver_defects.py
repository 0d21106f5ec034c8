"""Inputs the fuzzing found that the receiver once answered with a 500 or 503 (fixed in 293d5f3
and 1ad401d): kept as regression tests, named after what went wrong.
"""

import json
import time

import pytest

from tests.fuzz.conftest import sign

OPPORTUNITY_ID = "250d8f03-738a-4bba-a671-8a3d73477145"


def _signed(event="candidateHired", data=None) -> str:
    lever_token = "8d3e2c1b0a9f5e4d3c2b1a098d3e2c1b0a9f5e4d3c2b1a09"
    body = {"triggeredAt": int(time.time() * 1000), "event": event, "token": lever_token}
    body["data"] = {"opportunityId": OPPORTUNITY_ID} if data is None else data
    body["signature"] = sign(lever_token, body["triggeredAt"])
    return json.dumps(body)


@pytest.mark.parametrize("raw", [b"[" * 50_000, b'{"a":' * 12_000])
def test_deeply_nested_json_is_a_400_not_a_500(receiver, raw):
    """json.loads raised RecursionError: an unauthenticated 500 with a traceback in the log."""
    response = receiver.post(raw)
    assert response.status_code == 400
    assert receiver.stored() == 0


def test_token_with_a_lone_surrogate_is_a_400_not_a_500(receiver):
    """compute_signature could not encode the token: an unauthenticated 500."""
    raw = '{"token": "\\ud800", "triggeredAt": 1, "event": "candidateHired", "signature": "'
    response = receiver.post(raw + "0" * 64 + '"}')
    assert response.status_code == 400
    assert receiver.stored() == 0


def test_signed_data_with_a_lone_surrogate_is_stored(receiver):
    """The payload could not be encoded for the database: a 500, and the hire was never stored."""
    data = {"opportunityId": OPPORTUNITY_ID, "note": "\udc80"}
    response = receiver.post(_signed(data=data))
    assert response.status_code == 200
    assert receiver.stored() == 1


@pytest.mark.parametrize(
    "event,data",
    [("candidate\x00Hired", None), ("candidateHired", {"opportunityId": "250d8f03\x00"})],
)
def test_signed_nul_characters_never_give_a_5xx(receiver, event, data):
    """PostgreSQL refused the insert: a 503 on every retry, so Lever gave up."""
    response = receiver.post(_signed(event=event, data=data))
    assert response.status_code in (200, 400)
