"""Mint and check HS512 JWT access tokens shaped like Lever's (lever-api.md §1.4)."""

import base64
import hashlib
import hmac
import json

CLAIM_PREFIX = "https://oauth.lever.co/"


def _b64(data: bytes) -> str:
    """Encode base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _dumps(value: dict) -> bytes:
    """Serialise compactly, as JWT libraries do."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def encode(claims: dict, key: str, kid: str) -> str:
    """Sign claims into a compact JWT with Lever's header."""
    header = {"alg": "HS512", "v": "2.0", "kid": kid}
    signing_input = f"{_b64(_dumps(header))}.{_b64(_dumps(claims))}"
    signature = hmac.new(key.encode(), signing_input.encode("ascii"), hashlib.sha512).digest()
    return f"{signing_input}.{_b64(signature)}"


def decode(token: str, key: str) -> dict | None:
    """Return the claims of a JWT we signed, or None if it is not one (expiry not checked)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
    expected = hmac.new(key.encode(), signing_input, hashlib.sha512).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, TypeError):
        return None
    if header.get("alg") != "HS512" or not isinstance(claims, dict):
        return None
    return claims
