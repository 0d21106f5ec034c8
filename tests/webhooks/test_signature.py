"""Lever's signature algorithm against the published test vectors (lever-api.md §4.4)."""

import pytest

from lever_cezanne.webhooks.signature import compute_signature, signature_matches

KEY = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"
VECTORS = [
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
]


@pytest.mark.parametrize("token,triggered_at,expected", VECTORS)
def test_signature_matches_the_published_vectors(token, triggered_at, expected):
    assert compute_signature(KEY, token, triggered_at) == expected
    assert signature_matches(KEY, token, triggered_at, expected)


@pytest.mark.parametrize(
    "signature",
    [
        VECTORS[1][2].upper(),  # uppercase hex is not what Lever sends
        VECTORS[1][2][:-1],  # too short
        VECTORS[1][2] + "0",  # too long
        "é" * 64,  # non-ASCII must be refused, not crash the compare
        "m3e73080553bcbf65f66c90b6m4ac0mb664c6am763efb1899653808864456b36",  # Lever's placeholder
        VECTORS[0][2],  # a real signature of another delivery
    ],
)
def test_wrong_signatures_do_not_match(signature):
    token, triggered_at, _ = VECTORS[1]
    assert not signature_matches(KEY, token, triggered_at, signature)


def test_a_different_key_does_not_match():
    token, triggered_at, expected = VECTORS[1]
    assert not signature_matches(KEY + "x", token, triggered_at, expected)
