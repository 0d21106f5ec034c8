"""POST /cezannehr/api/v4/Lever/webhook/<subdomain>: verify, store, answer fast."""

import json
import logging
from functools import lru_cache

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from lever_cezanne import deliveries
from lever_cezanne.app_logging import delivery_context
from lever_cezanne.crypto import DecryptionError
from lever_cezanne.deliveries.inbox import initial_status
from lever_cezanne.extensions import csrf, db
from lever_cezanne.models.integration import DeliveryStatus
from lever_cezanne.webhooks import bp, keys, services
from lever_cezanne.webhooks.envelope import EnvelopeError, parse_envelope
from lever_cezanne.webhooks.freshness import WINDOW_TEXT, is_fresh
from lever_cezanne.webhooks.signature import signature_matches

log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _json(items: tuple) -> bytes:
    """A body as jsonify writes it outside debug mode; made once, as the answers are few (and
    the receiver's CPU per webhook is what limits how many a second it takes)."""
    return json.dumps(dict(items), separators=(",", ":"), sort_keys=True).encode() + b"\n"


def _answer(code: int, **body):
    return current_app.response_class(
        _json(tuple(body.items())), status=code, mimetype="application/json"
    )


def _read_body() -> bytes | None:
    """Read at most WEBHOOK_MAX_BYTES; None when the body is larger."""
    limit = current_app.config["WEBHOOK_MAX_BYTES"]
    length = request.content_length
    if length is not None:
        # Exactly Content-Length, straight from the server's stream: werkzeug's guard around it
        # (which stops reads past the length) cost more than the read. A shorter body than it
        # claims ends the read early, and is refused as JSON that does not parse.
        return None if length > limit else request.environ["wsgi.input"].read(length)
    raw = request.stream.read(limit + 1)  # chunked: capped all the same
    return None if len(raw) > limit else raw


@bp.post("/webhook/<subdomain>")
@csrf.exempt
def webhook_receive(subdomain: str):
    """Receive a Lever webhook for one integration."""
    remembered = keys.signing_keys().get(subdomain)
    if remembered is None:
        return _receive_carefully(subdomain, _read_body())
    raw = _read_body()
    return _store_with_remembered_key(remembered, raw) or _receive_carefully(subdomain, raw)


def _store_with_remembered_key(remembered: keys.SigningKey, raw: bytes | None):
    """The common case in one statement: a fresh, signed, new delivery verified with the key this
    process remembers. None for anything else, which the careful path then answers."""
    if raw is None:
        return None
    try:
        envelope = parse_envelope(raw)
    except EnvelopeError:
        return None
    if envelope.is_ping or not is_fresh(envelope.triggered_at):
        return None
    if not signature_matches(
        remembered.key, envelope.token, envelope.triggered_at, envelope.signature
    ):
        return None  # perhaps the key changed: the careful path reads it again
    try:
        stored = deliveries.store_signed(
            remembered.integration_id,
            remembered.subdomain,
            remembered.ciphertext,
            event=envelope.event,
            **services.delivery_fields(envelope),
        )
    except SQLAlchemyError:
        log.exception("integration %s: webhook could not be stored", remembered.integration_id)
        return _answer(503, error="The webhook could not be stored; please send it again.")
    if stored is None:
        return None  # a repeat, or the integration changed since the key was read
    return _accepted(remembered.integration_id, envelope, *stored)


def _receive_carefully(subdomain: str, raw: bytes | None):
    """Read the integration and its key afresh, then verify, refuse or store the delivery."""
    integration = services.find_integration(subdomain)
    if integration is None:
        keys.signing_keys().forget(subdomain)
        return _answer(404, error="No Lever integration has this subdomain.")
    if raw is None:
        return _answer(413, error="The body is larger than this endpoint accepts.")
    try:
        envelope = parse_envelope(raw)
    except EnvelopeError as exc:
        return _answer(400, error=str(exc))
    try:
        key = services.signature_token_of(integration)
    except DecryptionError:
        # A server misconfiguration, not a bad request: answer 503 so Lever keeps retrying
        # until an operator restores the key.
        log.error(
            "integration %s: signature token unreadable; check ENCRYPTION_KEYS", integration.id
        )
        return _answer(
            503, error="This integration cannot verify webhooks right now; try again later."
        )
    # Read now: a commit expires the integration, and a refusal reading it afterwards would
    # cost one more SELECT on every forged webhook of a flood.
    integration_id = integration.id
    if not signature_matches(key, envelope.token, envelope.triggered_at, envelope.signature):
        services.note_bad_signature(integration)
        db.session.commit()
        log.warning("integration %s: webhook refused, bad signature", integration_id)
        return _answer(401, error="The signature does not match.")
    keys.signing_keys().remember(
        integration.id, integration.subdomain, integration.signature_token_encrypted, key
    )
    if not is_fresh(envelope.triggered_at):
        services.note_stale(integration)
        db.session.commit()
        log.warning(
            "integration %s: webhook refused, triggeredAt outside the window", integration_id
        )
        return _answer(400, error=f"triggeredAt is {WINDOW_TEXT}; this webhook is refused.")
    if envelope.is_ping:
        services.note_ping(integration)
        db.session.commit()
        return _answer(200, status="ping")
    return _store(integration, envelope)


def _store(integration, envelope):
    """Commit the delivery, then hand it over; only a failed insert is a 5xx."""
    # Read before the commit, which expires the integration: reading it after would cost
    # one more SELECT on every webhook.
    integration_id, paused = integration.id, integration.is_paused
    try:
        delivery_id = services.store_delivery(integration, envelope)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("integration %s: webhook could not be stored", integration_id)
        return _answer(503, error="The webhook could not be stored; please send it again.")
    if delivery_id is None:
        return _answer(200, status="duplicate")
    status = initial_status(envelope.event, held=paused)
    return _accepted(integration_id, envelope, delivery_id, status)


def _accepted(integration_id: int, envelope, delivery_id: int, status: DeliveryStatus):
    """Answer for a stored delivery; a hire waiting to be processed is handed over."""
    with delivery_context(delivery_id):  # this line and the hand-over's carry delivery_id=
        log.info(
            "integration %s: delivery %s stored (%s, opportunity %s)",
            integration_id,
            delivery_id,
            envelope.event,
            envelope.opportunity_id,
        )
        if status == DeliveryStatus.IGNORED:
            return _answer(200, status="ignored")
        if status == DeliveryStatus.HELD:
            return _answer(200, status="held")  # stored; Resume processes it
        # After the commit, so the job always finds its row; a failure leaves it for the
        # reconciler.
        deliveries.hand_over(current_app._get_current_object(), delivery_id)
    return _answer(200, status="accepted")
