"""The in-process job runner as the tests use it: the app's own, plus a wait until it is idle."""

import threading

from lever_cezanne.deliveries.runner import InProcessRunner


class WatchedRunner(InProcessRunner):
    """An InProcessRunner a test can wait on: wait_idle() returns once no job is waiting on its
    backoff timer or running."""

    def __init__(self, app, **kwargs):
        super().__init__(app, **kwargs)
        self._idle = threading.Condition(self._lock)

    def _done(self, key) -> None:
        super()._done(key)
        with self._lock:
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 30) -> bool:
        """Wait until no job is waiting or running; tell whether that happened in time."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)


def watch_jobs(app) -> None:
    """Give the app (built without Redis) a runner the test can wait on."""
    if "lever_jobs" in app.extensions:
        app.extensions["lever_jobs"] = WatchedRunner(app)
