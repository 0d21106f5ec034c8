"""Background work: the queue seam, process_delivery and the reconciler."""

from flask import Flask

from lever_cezanne.jobs.inprocess import InProcessRunner

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Set up in-process execution when there is no Redis (the embedded default)."""
    if app.config.get("REDIS_URL") or "lever_jobs" in app.extensions:
        return
    runner = InProcessRunner(app)
    app.extensions["lever_jobs"] = runner
    if app.config.get("RECONCILE_INTERVAL", 60) and not app.testing:
        # Started by the first request, never while the app is being built.
        app.before_request(runner.start_reconciler)
