"""Lever's webhook signature: HMAC-SHA256 over token + triggeredAt, keyed with the token."""

import hmac
import re

SIGNATURE_PATTERN = re.compile(r"[0-9a-f]{64}")


def compute_signature(signature_token: str, token: str, triggered_at: int) -> str:
    """Return the lowercase hex signature Lever sends for a token and triggeredAt."""
    message = f"{token}{triggered_at}".encode()
    return hmac.digest(signature_token.encode(), message, "sha256").hex()  # OpenSSL, one call


def signature_matches(signature_token: str, token: str, triggered_at: int, signature: str) -> bool:
    """Tell whether the signature is the right one, in constant time."""
    # Only 64 lowercase hex characters can ever match; anything else (uppercase, non-ASCII,
    # wrong length) is refused before the compare, which needs bytes to stay constant-time.
    if not SIGNATURE_PATTERN.fullmatch(signature):
        return False
    expected = compute_signature(signature_token, token, triggered_at)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))
