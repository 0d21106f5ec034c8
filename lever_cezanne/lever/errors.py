"""Lever failures, classified by what the caller should do next.

``str(exc)`` is always a plain-English message that is safe to show on the Log tab: it never
contains a token or a secret.
"""

REAUTHORISE_MESSAGE = (
    "Lever access was revoked or has expired: re-authorise under Integrations › Lever."
)


class LeverError(Exception):
    """Something went wrong talking to Lever."""


class LeverAuthorisationError(LeverError):
    """Lever access was revoked or has expired: an Administrator must re-authorise."""

    def __init__(self, message: str = REAUTHORISE_MESSAGE):
        super().__init__(message)


class LeverNotFoundError(LeverError):
    """Lever has no such record (404 ResourceNotFound)."""


RETRY_PROMISE = "this will be tried again"


class LeverTransientError(LeverError):
    """Lever is busy or unreachable (429, 5xx, timeout): try again later.

    Built from the problem alone. ``str(exc)`` promises the retry ("Lever did not answer in
    time: this will be tried again."), for a job that will retry; ``final_message`` is the same
    problem without the promise, for when no retry follows (the last attempt, a page).

    Not logged where it is raised: whoever decides what happens next (the job retrying, a page
    saying "try again") writes the one log line, naming ``detail`` ("HTTP 503", "Timeout").
    """

    def __init__(self, problem: str, retry_after: float | None = None, detail: str | None = None):
        super().__init__(f"{problem}: {RETRY_PROMISE}.")
        self.problem = problem
        self.retry_after = retry_after
        self.detail = detail

    @property
    def final_message(self) -> str:
        """The problem as a sentence, promising nothing."""
        return f"{self.problem}."


class LeverRequestError(LeverError):
    """Lever refused the request for good (any other 4xx): retrying will not help."""


class LeverPagingError(LeverError):
    """Lever's list pages did not add up (a repeated id, a looping cursor): stopped, not looped."""


class LeverForbiddenError(LeverRequestError):
    """Lever answered 403: usually a scope this integration was not granted."""
