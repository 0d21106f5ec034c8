"""Logging to stdout, one line per event, as a Heroku-style process should.

Each line names the request (Heroku's router sends X-Request-ID; otherwise we make one) and the
webhook delivery it is about, so `heroku logs --tail | grep delivery_id=42` follows one hire.
"""

import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
# Only a plain id is echoed into the logs: anything else (spaces, newlines) could forge lines.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")
_delivery_id: ContextVar[int | None] = ContextVar("delivery_id", default=None)


@contextmanager
def delivery_context(delivery_id: int) -> Iterator[None]:
    """Stamp every log line written inside with the delivery's id."""
    token = _delivery_id.set(delivery_id)
    try:
        yield
    finally:
        _delivery_id.reset(token)


def _assign_request_id() -> None:
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def _echo_request_id(response):
    if "request_id" in g:
        response.headers.setdefault("X-Request-ID", g.request_id)
    return response


class ContextFilter(logging.Filter):
    """Add ` request_id=… delivery_id=…` (those that apply) to each record as %(context)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        parts = []
        if has_request_context() and "request_id" in g:
            parts.append(f"request_id={g.request_id}")
        if _delivery_id.get() is not None:
            parts.append(f"delivery_id={_delivery_id.get()}")
        record.context = "".join(" " + part for part in parts)
        return True


class TransientRetryFilter(logging.Filter):
    """Drop RQ's traceback for a job that asked to be retried: the job logged one line already."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            "exception raised while executing" in str(record.msg)
            and "lever_cezanne.deliveries.process.RetryLater" in record.getMessage()
        )


def make_handler(stream) -> logging.Handler:
    """A handler writing our one-line format, with the request and delivery ids."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(app) -> None:
    """Send the app's log records to stdout, one line each, stamped with request and delivery."""
    # No format here (nor RQ's, nor gunicorn's) names the source file, function, line or
    # thread: skip finding them for every record (the logging docs' "Optimization"). A worker
    # writes three lines a hire, and the receiver one a webhook. Process-wide: a format that
    # asks for them (pytest's own, in a failure report) shows "(unknown file)" instead.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    logger = logging.getLogger("lever_cezanne")
    if not any(getattr(h, "_lever_cezanne", False) for h in logger.handlers):
        handler = make_handler(sys.stdout)
        handler._lever_cezanne = True
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
    rq_logger = logging.getLogger("rq.worker")
    if not any(isinstance(f, TransientRetryFilter) for f in rq_logger.filters):
        rq_logger.addFilter(TransientRetryFilter())
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
