"""Logging to stdout, one line per event, as a Heroku-style process should.

Each line names the request (Heroku's router sends X-Request-ID; otherwise we make one) and the
webhook delivery it is about, so `heroku logs --tail | grep delivery_id=42` follows one hire.
"""

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, request

FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
# Only a plain id is echoed into the logs: anything else (spaces, newlines) could forge lines.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")
_delivery_id: ContextVar[int | None] = ContextVar("delivery_id", default=None)
# The request's id, also in a context variable: a log record reads it there, which costs far less
# than asking Flask's `g` through its proxies (the receiver writes a line on every webhook).
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


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
    g.request_id_token = _request_id.set(g.request_id)


def _forget_request_id(exc: BaseException | None = None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        _request_id.reset(token)  # the thread's next lines, outside a request, carry none


def _echo_request_id(response):
    if "request_id" in g:
        response.headers.setdefault("X-Request-ID", g.request_id)
    return response


class ContextFilter(logging.Filter):
    """Add ` request_id=… delivery_id=…` (those that apply) to each record as %(context)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, delivery_id = _request_id.get(), _delivery_id.get()
        context = "" if request_id is None else f" request_id={request_id}"
        if delivery_id is not None:
            context += f" delivery_id={delivery_id}"
        record.context = context
        return True


class Formatter(logging.Formatter):
    """logging's own Formatter, its default time text made once a second instead of for every
    record (the same text: the local time changes on a second's boundary)."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None or self.default_msec_format is None:
            return super().formatTime(record, datefmt)
        second, text = self._second
        if second != int(record.created):
            second = int(record.created)
            text = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, text)  # one tuple: a racing thread reads either whole
        return self.default_msec_format % (text, record.msecs)


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
    handler.setFormatter(Formatter(FORMAT))
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
    app.teardown_request(_forget_request_id)
    app.after_request(_echo_request_id)
