"""The in-process job runner and mail sender as the tests use them: the app's own, plus a wait
until they are idle."""

import threading

from lever_cezanne.deliveries.runner import InProcessRunner
from lever_cezanne.mail.sending import ThreadSender


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


class WatchedSender(ThreadSender):
    """The mail sender without Redis, which a test can wait on until no send is running (a retry
    waiting on its timer does not count)."""

    def __init__(self, app):
        super().__init__(app)
        self._busy = 0
        self._idle = threading.Condition(self._lock)

    def submit(self, mail_id: int, attempt: int, intervals: list[float]) -> bool:
        with self._lock:
            self._busy += 1
        if super().submit(mail_id, attempt, intervals):
            return True
        with self._lock:
            self._busy -= 1
            self._idle.notify_all()
        return False

    def _finished(self, mail_id: int) -> None:
        super()._finished(mail_id)
        with self._lock:
            self._busy -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 30) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)
