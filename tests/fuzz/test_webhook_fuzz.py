"""Fuzz the webhook receiver with Hypothesis: malformed, forged and oversized bodies.

Whatever arrives: never a 500, never a stored delivery without a valid signature, and a body over
WEBHOOK_MAX_BYTES is refused with 413. Each test builds the app once and sends many examples
through the Flask test client; deliveries are counted in the database after every one.
"""

import io
import json
import secrets
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import sign

LIMIT = 64 * 1024
FUZZ = settings(
    max_examples=400,
    derandomize=True,  # the same examples on every run and in CI
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every code point, lone surrogates included (valid JSON escapes such as "\ud800").
CHARS = st.characters()
NON_ASCII = st.characters(min_codepoint=128)
# Lever's tokens are 48 lowercase hex characters; most examples use such tokens so that they reach
# the signature check, the rest use anything at all.
LEVER_TOKENS = st.from_regex(r"[0-9a-f]{48}", fullmatch=True)
SIGNED_TOKENS = LEVER_TOKENS | st.text(CHARS, min_size=1, max_size=128)
# Mostly inside the accepted window (15 days back, 5 minutes ahead), some just outside, some
# anywhere a timestamp can be.
NOW_MS = int(time.time() * 1000)
DAY_MS = 24 * 3600 * 1000
FRESH_TIMES = st.integers(min_value=NOW_MS - 15 * DAY_MS + 60_000, max_value=NOW_MS + 60_000)
SIGNED_TIMES = (
    FRESH_TIMES
    | st.integers(min_value=NOW_MS - 30 * DAY_MS, max_value=NOW_MS + DAY_MS)
    | st.integers(min_value=1, max_value=10**14 - 1)
)


def json_values(chars):
    """Any JSON value: scalars of every type, short and long strings, nested lists and objects."""
    text = st.text(chars, max_size=40)
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | text
    scalars |= st.text(chars, max_size=300)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=25,
    )


TEXT, JSON = st.text(CHARS, max_size=40), json_values(CHARS)
HEX64 = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
SIGNATURES = (
    HEX64
    | st.from_regex(r"[0-9A-F]{64}", fullmatch=True)
    | st.from_regex(r"[0-9a-f]{0,63}|[0-9a-f]{65,130}", fullmatch=True)
    | st.text(CHARS, max_size=80)
    | st.text(NON_ASCII, min_size=64, max_size=64)
    | JSON
)
TIMESTAMPS = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=1, max_value=10**14)
    | st.floats()
    | st.booleans()
    | st.text(st.sampled_from("0123456789.e-"), max_size=20)
    | JSON
)
TOKENS = st.text(CHARS, max_size=200) | JSON
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/octet-stream",
        "",
    ]
)


def _dumps(body, ascii_only: bool) -> bytes:
    """JSON as bytes; a lone surrogate sent raw gives invalid UTF-8, as an attacker may send."""
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


# Half well-typed envelopes that reach the signature check, half anything at all.
ENVELOPES = st.fixed_dictionaries(
    {
        "token": SIGNED_TOKENS,
        "triggeredAt": SIGNED_TIMES,
        "signature": SIGNATURES,
        "event": st.just("candidateHired") | TEXT,
    },
    optional={"data": JSON},
) | st.fixed_dictionaries(
    {},
    optional={
        "token": TOKENS,
        "triggeredAt": TIMESTAMPS,
        "signature": SIGNATURES,
        "event": TEXT | JSON,
        "data": JSON,
    },
)


@FUZZ
@given(
    body=ENVELOPES,
    ascii_only=st.booleans(),
    content_type=CONTENT_TYPES,
)
@example(
    body={"token": "a", "triggeredAt": 1, "signature": "é" * 64, "event": "candidateHired"},
    ascii_only=False,
    content_type="application/json",
)
def test_forged_or_malformed_envelopes_are_refused_and_never_stored(
    receiver, body, ascii_only, content_type
):
    response = receiver.post(_dumps(body, ascii_only), content_type)
    assert response.status_code in (400, 401), (body, response.status_code, response.data[:200])
    assert response.is_json and "error" in response.get_json()
    assert receiver.stored() == 0


@FUZZ
@given(
    token=SIGNED_TOKENS,
    triggered_at=SIGNED_TIMES,
    mutation=st.sampled_from(
        ["token", "time+1", "time-float", "time-string", "upper", "space", "truncate", "swap"]
    ),
    data=JSON,
)
def test_tampered_signed_triples_are_refused(receiver, token, triggered_at, mutation, data):
    """A valid (token, triggeredAt, signature) triple with one part changed never gets in."""
    signature = sign(token, triggered_at)
    body = {"triggeredAt": triggered_at, "event": "candidateHired", "data": data, "token": token}
    changed = {
        "token": {"token": token + "x"},
        "time+1": {"triggeredAt": triggered_at + 1},
        "time-float": {"triggeredAt": float(triggered_at)},
        "time-string": {"triggeredAt": str(triggered_at)},
        "upper": {"signature": signature.upper()},
        "space": {"signature": signature + " "},
        "truncate": {"signature": signature[:-1]},
        "swap": {"signature": sign(token + "1", triggered_at)},
    }[mutation]
    response = receiver.post(json.dumps({**body, "signature": signature, **changed}))
    if mutation == "upper" and signature == signature.upper():
        return  # an all-digit signature: upper-casing changed nothing
    assert response.status_code in (400, 401), (mutation, response.status_code)
    assert receiver.stored() == 0


@FUZZ
@given(
    token=LEVER_TOKENS,  # tokens of other shapes are refused before: see the tests above
    triggered_at=FRESH_TIMES | SIGNED_TIMES,
    event=st.sampled_from(["candidateHired", "candidateStageChange"]) | TEXT | JSON,
    data=JSON | st.dictionaries(st.sampled_from(["opportunityId", "contactId"]), JSON),
    extra=st.dictionaries(TEXT, JSON, max_size=3),
    duplicate_token_first=st.booleans(),
)
@pytest.mark.committed
def test_signed_bodies_with_any_payload_never_500(
    receiver, token, triggered_at, event, data, extra, duplicate_token_first
):
    """Lever signs only token + triggeredAt: the rest may hold anything, and is still handled."""
    before = receiver.stored()
    fields = {**extra, "triggeredAt": triggered_at, "event": event, "data": data}
    fields["signature"] = sign(token, triggered_at)
    text = json.dumps({**fields, "token": token})
    if duplicate_token_first:
        # A duplicate key: JSON parsers keep the last one, and so does the signature check.
        text = '{"token": "forged-first-value", ' + text[1:]
    response = receiver.post(text)
    assert response.status_code in (200, 400), (response.status_code, response.data[:300])
    added = receiver.stored() - before
    answer = response.get_json()
    if response.status_code == 200 and answer["status"] in ("accepted", "ignored"):
        assert added == 1
    else:
        assert added == 0, answer


@settings(FUZZ, max_examples=60)
@given(
    size=st.integers(min_value=LIMIT + 1, max_value=4 * LIMIT),
    signed=st.booleans(),
    content_type=CONTENT_TYPES,
)
def test_oversized_bodies_are_refused_with_413(receiver, size, signed, content_type):
    token, triggered_at = secrets.token_hex(24), NOW_MS
    body = {"triggeredAt": triggered_at, "event": "candidateHired", "token": token}
    body["signature"] = sign(token, triggered_at) if signed else "0" * 64
    padding = size - len(json.dumps({**body, "data": {"pad": ""}}))
    text = json.dumps({**body, "data": {"pad": "x" * max(0, padding)}})
    assert len(text.encode()) > LIMIT
    response = receiver.post(text, content_type)
    assert response.status_code == 413, response.status_code
    assert receiver.stored() == 0


def test_oversized_body_without_content_length_is_refused(receiver):
    """A chunked body declares no length: the receiver still stops reading at the limit."""
    token, triggered_at = secrets.token_hex(24), NOW_MS
    body = json.dumps(
        {"triggeredAt": triggered_at, "event": "candidateHired", "token": token,
         "signature": sign(token, triggered_at), "data": {"pad": "x" * (2 * LIMIT)}}
    ).encode()  # fmt: skip
    response = receiver.post(
        None,
        input_stream=io.BytesIO(body),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert receiver.stored() == 0


@FUZZ
@given(
    raw=st.binary(max_size=3000)
    | st.builds(lambda b: b"\xef\xbb\xbf" + b, st.binary(max_size=200))
    | st.sampled_from([b"\xff\xfe{}", b'{"token": "\xc3\x28"}', b"\x80" * 10, b"", b"null"])
    | st.builds(lambda d: ("[" * d + "]" * d).encode(), st.integers(1, 30_000))
    | st.builds(lambda d: ('{"a":' * d + "1" + "}" * d).encode(), st.integers(1, 12_000)),
    content_type=CONTENT_TYPES,
)
def test_raw_bytes_invalid_utf8_and_nesting_are_refused(receiver, raw, content_type):
    response = receiver.post(raw, content_type)
    expected = (413,) if len(raw) > LIMIT else (400, 401)
    assert response.status_code in expected, (raw[:80], response.status_code)
    assert receiver.stored() == 0


@settings(FUZZ, max_examples=200)
@given(subdomain=st.text(CHARS, min_size=1, max_size=80), raw=st.booleans())
def test_any_subdomain_in_the_url_is_answered_without_a_500(receiver, subdomain, raw):
    encoded = subdomain.encode("utf-8", "surrogatepass")
    path = encoded.decode("utf-8", "replace") if raw else quote(encoded, safe="")
    body = json.dumps({"token": "t", "triggeredAt": 1, "signature": "0" * 64, "event": "x"})
    response = receiver.post(body, url=f"/cezannehr/api/v4/Lever/webhook/{path}")
    # 308: Werkzeug merges the "//" of an encoded "/" (Lever counts it a failure and retries).
    assert response.status_code in (308, 401, 404, 405), (subdomain, response.status_code)
    assert receiver.stored() == 0


def test_figures_of_a_full_fuzz_round(receiver):
    """Thousands of forged bodies write one bad-signature Error row a minute, not thousands."""
    forged = 0
    for n in range(1000):
        body = {
            "token": secrets.token_hex(24),
            "triggeredAt": NOW_MS + n,
            "event": "candidateHired",
        }
        body["signature"] = secrets.token_hex(32)
        forged += receiver.post(json.dumps(body)).status_code == 401
    figures = receiver.figures()
    print(f"\nFUZZ FLOOD FIGURES: {figures}")
    assert forged == 1000, figures
    assert figures["stored"] == 0, figures
    minutes = int(figures["seconds"] // 60) + 1
    assert 1 <= figures["bad_signature_error_rows"] <= minutes, figures
