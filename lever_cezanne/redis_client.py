"""The app's one Redis client, built from REDIS_URL on first use."""

from flask import current_app
from redis import Redis


def redis_connection() -> Redis:
    """Return the app's Redis connection (its pool is shared by every thread)."""
    app = current_app._get_current_object()
    if "lever_redis" not in app.extensions:
        app.extensions["lever_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
    return app.extensions["lever_redis"]
