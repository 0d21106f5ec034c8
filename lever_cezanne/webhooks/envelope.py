"""Read and check the JSON envelope Lever posts (lever-api.md §4.2)."""

import json
from dataclasses import dataclass

MAX_TOKEN_LENGTH = 128
MAX_TRIGGERED_AT = 10**14  # milliseconds: year 5138; anything larger is not a Lever timestamp
MAX_ID_LENGTH = 64
REDACTED = "[redacted]"


class EnvelopeError(ValueError):
    """The body is not a Lever webhook envelope; the message says what is wrong."""


@dataclass(frozen=True)
class Envelope:
    event: str
    token: str
    triggered_at: int
    signature: str
    data: dict
    body: dict

    @property
    def is_ping(self) -> bool:
        """Lever's "Test" button sends candidateHired with an empty data object."""
        return self.event == "candidateHired" and self.data == {}

    @property
    def opportunity_id(self) -> str | None:
        # candidateId is the deprecated name of the same value, sent by older payloads.
        return _short_id(self.data.get("opportunityId")) or _short_id(self.data.get("candidateId"))

    @property
    def contact_id(self) -> str | None:
        return _short_id(self.data.get("contactId"))

    def redacted_json(self) -> str:
        """Return the body as JSON with the token and signature replaced."""
        body = dict(self.body, token=REDACTED, signature=REDACTED)
        # ASCII escapes: a lone surrogate in Lever's data cannot be encoded for the database.
        return json.dumps(body, sort_keys=True)


def _is_text(value, max_length: int) -> bool:
    """A non-empty printable string: no NUL (PostgreSQL refuses it) nor lone surrogates."""
    return isinstance(value, str) and 0 < len(value) <= max_length and value.isprintable()


def _short_id(value) -> str | None:
    return value if _is_text(value, MAX_ID_LENGTH) else None


def parse_envelope(raw: bytes) -> Envelope:
    """Parse the body and check the types of the signed fields; raise EnvelopeError."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[…" nested past the limit
        raise EnvelopeError("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise EnvelopeError("The body must be a JSON object.")
    token, signature = body.get("token"), body.get("signature")
    triggered_at, event = body.get("triggeredAt"), body.get("event")
    data = body.get("data", {})
    # Lever's tokens are hex: anything not printable ASCII could not even be signed.
    if not _is_text(token, MAX_TOKEN_LENGTH) or not token.isascii():
        raise EnvelopeError("token is missing or is not 1 to 128 printable ASCII characters.")
    # bool is an int in Python; a JSON true must not pass as a timestamp.
    if isinstance(triggered_at, bool) or not isinstance(triggered_at, int):
        raise EnvelopeError("triggeredAt is missing or is not an integer.")
    if not 0 < triggered_at < MAX_TRIGGERED_AT:
        raise EnvelopeError("triggeredAt is not a timestamp in milliseconds.")
    if not isinstance(signature, str):
        raise EnvelopeError("signature is missing or is not a string.")
    if not _is_text(event, MAX_ID_LENGTH):
        raise EnvelopeError("event is missing or is not a string.")
    if not isinstance(data, dict):
        raise EnvelopeError("data must be a JSON object.")
    return Envelope(event, token, triggered_at, signature, data, body)
