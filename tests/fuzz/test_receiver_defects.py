"""Inputs the fuzzing found that the receiver mishandles: each pinned as a strict xfail until fixed.

When a fix lands, its test passes, the strict xfail fails the suite, and the lead removes the mark.
"""

import json

import pytest

from tests.fuzz.conftest import sign

OPPORTUNITY_ID = "250d8f03-738a-4bba-a671-8a3d73477145"


def _signed(event="candidateHired", data=None) -> str:
    lever_token = "8d3e2c1b0a9f"
    body = {"triggeredAt": 1700000000123, "event": event, "token": lever_token}
    body["data"] = {"opportunityId": OPPORTUNITY_ID} if data is None else data
    body["signature"] = sign(lever_token, body["triggeredAt"])
    return json.dumps(body)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="bug: a body of 50,000 '[' (under the 64 KB limit, no signature needed) makes "
    "json.loads raise RecursionError, which parse_envelope in lever_cezanne/webhooks/envelope.py "
    "does not catch: anyone can get a 500 and an ERROR traceback in the log. Fix: catch "
    "RecursionError beside ValueError there and raise EnvelopeError('The body is not valid JSON.')",
)
@pytest.mark.parametrize("raw", [b"[" * 50_000, b'{"a":' * 20_000])
def test_deeply_nested_json_is_a_400_not_a_500(receiver, raw):
    response = receiver.post(raw)
    assert response.status_code == 400
    assert receiver.stored() == 0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="bug: an unsigned body whose token holds a lone surrogate (JSON '\\ud800') and whose "
    "signature is any 64 hex digits reaches compute_signature, where str.encode() raises "
    "UnicodeEncodeError: a 500 for anyone. Fix: in parse_envelope (lever_cezanne/webhooks/"
    "envelope.py) refuse a token that is not printable ASCII (`token.isascii() and "
    "token.isprintable()`; Lever's tokens are hex) with EnvelopeError, so the answer is 400",
)
def test_token_with_a_lone_surrogate_is_a_400_not_a_500(receiver):
    raw = '{"token": "\\ud800", "triggeredAt": 1, "event": "candidateHired", "signature": "'
    response = receiver.post(raw + "0" * 64 + '"}')
    assert response.status_code == 400
    assert receiver.stored() == 0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="bug: a signed delivery whose data holds a lone surrogate (e.g. a name '\\udc80') is "
    "stored with Envelope.redacted_json (json.dumps ensure_ascii=False), and the database driver "
    "cannot encode it: UnicodeEncodeError, a 500, on SQLite and PostgreSQL alike. Lever retries "
    "and the hire is never stored. Fix: ensure_ascii=True in Envelope.redacted_json "
    "(lever_cezanne/webhooks/envelope.py)",
)
def test_signed_data_with_a_lone_surrogate_is_stored(receiver):
    data = {"opportunityId": OPPORTUNITY_ID, "note": "\udc80"}
    response = receiver.post(_signed(data=data))
    assert response.status_code == 200
    assert receiver.stored() == 1


@pytest.mark.parametrize(
    "event,data",
    [("candidate\x00Hired", None), ("candidateHired", {"opportunityId": "250d8f03\x00"})],
)
def test_signed_nul_characters_never_give_a_5xx(receiver, event, data):
    """Fixed in 293d5f3 (PostgreSQL refused the insert with a 503 that Lever retried for ever)."""
    response = receiver.post(_signed(event=event, data=data))
    assert response.status_code in (200, 400)
