"""The checks behind /healthz: the database, Redis, and the backlog of waiting deliveries."""

import logging
from datetime import datetime

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from lever_cezanne.extensions import db
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import DeliveryStatus
from lever_cezanne.redis_client import redis_connection

log = logging.getLogger(__name__)
# Stored but not yet picked up by a worker: what an operator watches grow when workers are down.
WAITING = (DeliveryStatus.RECEIVED, DeliveryStatus.QUEUED)


def waiting_deliveries() -> tuple[int, datetime | None]:
    """Return how many deliveries wait for a worker, and when the oldest of them arrived."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(WebhookDelivery.received_at)).where(
            WebhookDelivery.status.in_(WAITING)
        )
    ).one()
    return count, oldest


def database_report() -> dict:
    """Ask the database one cheap question and the backlog; never raise."""
    try:
        db.session.execute(text("SELECT 1"))
        depth, oldest = waiting_deliveries()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("healthz: database unreachable (%s)", type(exc).__name__)
        return {"database": "unreachable", "queue_depth": None, "oldest_waiting_delivery_s": None}
    age = None if oldest is None else max(0, round((utcnow() - oldest).total_seconds()))
    return {"database": "ok", "queue_depth": depth, "oldest_waiting_delivery_s": age}


def redis_report() -> str:
    """Return "ok", "unreachable", or "not configured" when jobs run in the web process."""
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    try:
        redis_connection().ping()
    except (RedisError, OSError) as exc:
        log.warning("healthz: Redis unreachable (%s)", type(exc).__name__)
        return "unreachable"
    return "ok"


def health_report() -> tuple[dict, int]:
    """Return the report and its HTTP status: 503 when the database is down, else 200."""
    report = database_report()
    report["redis"] = redis_report()
    healthy = report["database"] == "ok" and report["redis"] != "unreachable"
    report = {"status": "ok" if healthy else "degraded", **report}
    return report, 200 if report["database"] == "ok" else 503
