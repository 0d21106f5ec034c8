"""What-if gunicorn config for the acknowledgement experiments; NOT what the Procfile runs.

    ACK_VARIANT=B GUNICORN_CMD_ARGS="-c python:benchmarks.experiment_gunicorn" \\
        .venv/bin/python -m benchmarks ack --no-record

A: the receiver as it is. B: no second transaction after the enqueue (the reconciler treats
"received" and "queued" alike, so the UPDATE to "queued" only informs). C: B, and the inbox
INSERT as one prepared Core statement with parameters instead of an ORM insert built per request.
"""

import logging
import os

log = logging.getLogger(__name__)


def _enqueue_without_update(delivery_id: int, attempt: int) -> bool:
    from redis.exceptions import RedisError

    from lever_cezanne.jobs import queue

    try:
        queue.enqueue_delivery(delivery_id, attempt)
    except (RedisError, OSError, RuntimeError):
        log.exception("delivery %s: could not be queued", delivery_id)
        return False
    return True


def _core_store_delivery():
    from sqlalchemy.dialects import postgresql

    from lever_cezanne.extensions import db
    from lever_cezanne.models import WebhookDelivery
    from lever_cezanne.webhooks import services

    table = WebhookDelivery.__table__
    statement = postgresql.insert(table).on_conflict_do_nothing().returning(table.c.id)

    def store_delivery(integration, envelope):
        values = services.delivery_values(integration, envelope)
        return db.session.execute(statement, values).scalar()

    return store_delivery


def post_worker_init(worker) -> None:
    """Patch the receiver's helpers in each gunicorn worker (the views look them up per call)."""
    variant = os.environ.get("ACK_VARIANT", "A")
    if variant not in ("B", "C"):
        return
    from lever_cezanne.jobs import queue
    from lever_cezanne.webhooks import services

    queue.enqueue_delivery_safely = _enqueue_without_update
    if variant == "C":
        services.store_delivery = _core_store_delivery()
