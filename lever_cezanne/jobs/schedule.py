"""Periodic work, declared as data: what runs every minute beside the workers.

The worker's reconciler process (`flask worker`) and the in-process runner (no Redis) run each
entry in turn, every RECONCILE_INTERVAL seconds; one failing entry never stops the others.
"""

import logging
from collections.abc import Callable
from importlib import import_module

log = logging.getLogger(__name__)

PERIODIC_JOBS = (
    "lever_cezanne.jobs.reconcile:reconcile_deliveries",
    "lever_cezanne.mail.alerts:check_alerts",
    "lever_cezanne.mail.sending:requeue_stalled_mail",
)


def _load(path: str) -> Callable[[], object]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def run_periodic_jobs() -> None:
    """Run every periodic job once, inside the caller's app context."""
    from lever_cezanne.extensions import db

    for path in PERIODIC_JOBS:
        try:
            _load(path)()
        except Exception:
            db.session.rollback()
            log.exception("periodic job %s failed; it runs again next time", path)
