"""Read and check the JSON envelope Lever posts (lever-api.md §4.2)."""

import json
import math
import re
from dataclasses import dataclass

from lever_cezanne.lever.ids import lever_id_or_none

# Lever: "Randomly generated string with length 48", lowercase hex in every example. A fixed
# length matters: Lever signs token + triggeredAt with no separator, so a token of any other
# length could move digits to or from triggeredAt and keep the signature valid.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{48}")
MAX_TRIGGERED_AT = 10**14  # milliseconds: year 5138; anything larger is not a Lever timestamp
MAX_EVENT_LENGTH = 64
# Only what the app uses is stored, each value capped: the rest of `data` is unsigned and
# could be anything up to the body limit.
STORED_DATA_FIELDS = ("opportunityId", "candidateId", "contactId")
MAX_STORED_TEXT = 100


class EnvelopeError(ValueError):
    """The body is not a Lever webhook envelope; the message says what is wrong."""


@dataclass(frozen=True)
class Envelope:
    event: str
    token: str
    triggered_at: int
    signature: str
    data: dict

    @property
    def is_ping(self) -> bool:
        """Lever's "Test" button sends candidateHired with an empty data object."""
        return self.event == "candidateHired" and self.data == {}

    @property
    def opportunity_id(self) -> str | None:
        # candidateId is the deprecated name of the same value, sent by older payloads.
        data = self.data
        return lever_id_or_none(data.get("opportunityId")) or lever_id_or_none(
            data.get("candidateId")
        )

    @property
    def contact_id(self) -> str | None:
        return lever_id_or_none(self.data.get("contactId"))

    def stored_json(self) -> str:
        """Return what is kept of the body: the event, triggeredAt and the ids, each capped."""
        data = {key: _capped(self.data[key]) for key in STORED_DATA_FIELDS if key in self.data}
        body = {"event": self.event, "triggeredAt": self.triggered_at, "data": data}
        # ASCII escapes: a lone surrogate in Lever's data cannot be encoded for the database.
        return json.dumps(body, sort_keys=True)


def _capped(value):
    """Keep a short scalar as it is; shorten long text; describe a list or an object."""
    if isinstance(value, str):
        if len(value) <= MAX_STORED_TEXT:
            return value
        return f"{value[:MAX_STORED_TEXT]}… ({len(value)} characters, shortened)"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are Python's JSON, not the browser's
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if len(str(value)) <= MAX_STORED_TEXT else "(a very long number, not kept)"
    return f"(a JSON {'array' if isinstance(value, list) else 'object'}, not kept)"


def _is_text(value, max_length: int) -> bool:
    """A non-empty printable string: no NUL (PostgreSQL refuses it) nor lone surrogates."""
    return isinstance(value, str) and 0 < len(value) <= max_length and value.isprintable()


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
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise EnvelopeError(
            "token is missing or is not the 48 lowercase hex characters Lever sends."
        )
    # bool is an int in Python; a JSON true must not pass as a timestamp.
    if isinstance(triggered_at, bool) or not isinstance(triggered_at, int):
        raise EnvelopeError("triggeredAt is missing or is not an integer.")
    if not 0 < triggered_at < MAX_TRIGGERED_AT:
        raise EnvelopeError("triggeredAt is not a timestamp in milliseconds.")
    if not isinstance(signature, str):
        raise EnvelopeError("signature is missing or is not a string.")
    if not _is_text(event, MAX_EVENT_LENGTH):
        raise EnvelopeError("event is missing or is not a string.")
    if not isinstance(data, dict):
        raise EnvelopeError("data must be a JSON object.")
    return Envelope(event, token, triggered_at, signature, data)
