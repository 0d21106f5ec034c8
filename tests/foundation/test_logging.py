"""Log lines: one per event, with the request id and the delivery id where there is one."""

import io
import logging
import os
import re
import sys

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from lever_cezanne.app_logging import FORMAT, delivery_context, make_handler
from lever_cezanne.deliveries.process import RetryLater


@pytest.fixture
def log_lines():
    """What the app's logger writes, in the app's own format."""
    stream = io.StringIO()
    handler = make_handler(stream)
    logger = logging.getLogger("lever_cezanne")
    logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)


def test_a_request_s_lines_carry_the_router_s_request_id(app, client, log_lines):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # /healthz logs that Redis is unreachable
    response = client.get("/healthz", headers={"X-Request-ID": "3f2a9c1e-77b0-4c1e-9d7e-1b2c"})
    assert response.headers["X-Request-ID"] == "3f2a9c1e-77b0-4c1e-9d7e-1b2c"
    [line] = [line for line in log_lines() if "Redis unreachable" in line]
    assert " request_id=3f2a9c1e-77b0-4c1e-9d7e-1b2c: " in line


def test_a_forged_request_id_is_replaced(app, client, log_lines):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", headers={"X-Request-ID": "x INFO forged line"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert "forged" not in "\n".join(log_lines())


def test_lines_about_a_delivery_carry_its_id(app, log_lines):
    log = logging.getLogger("lever_cezanne.deliveries.process")
    with delivery_context(42):
        log.info("delivery %s: attempt %s", 42, 1)
    log.info("outside any delivery")
    inside, outside = log_lines()
    assert " delivery_id=42: delivery 42: attempt 1" in inside
    assert "delivery_id" not in outside and "request_id" not in outside


def _rq_error_lines(caplog, exc: Exception) -> list[str]:
    """Let a real RQ worker handle `exc` raised by a job; return what it logged at ERROR."""
    if not os.environ.get("REDIS_URL"):
        print("skipping: a real RQ worker needs REDIS_URL (CI sets it)")
        pytest.skip("REDIS_URL is not set")
    connection = Redis.from_url(os.environ["REDIS_URL"])  # nothing is queued or registered
    queue = Queue("lever", connection=connection, serializer=JSONSerializer)
    job = Job.create(
        "lever_cezanne.deliveries.worker.run_delivery", args=(7,), connection=connection,
        serializer=JSONSerializer, id="delivery-7-1", origin=queue.name,
    )  # fmt: skip
    worker = Worker([queue], connection=connection, serializer=JSONSerializer)
    caplog.clear()
    try:
        raise exc
    except Exception:
        with caplog.at_level(logging.ERROR, logger="rq.worker"):
            worker.handle_exception(job, *sys.exc_info())
    return [record.getMessage() for record in caplog.records if record.name == "rq.worker"]


def test_a_transient_retry_logs_no_traceback_but_a_real_error_does(app, caplog):
    # Before: each retry of a 503 from Lever printed a full traceback from RQ.
    assert _rq_error_lines(caplog, RetryLater("Lever answered HTTP 503")) == []
    [error] = _rq_error_lines(caplog, ValueError("a bug"))
    assert "Traceback" in error and "ValueError: a bug" in error


def test_a_line_after_a_request_carries_no_request_id(app, client, log_lines):
    client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    logging.getLogger("lever_cezanne.test").warning("after the request, same thread")
    [after] = [line for line in log_lines() if "after the request" in line]
    assert "request_id" not in after


def test_the_time_is_logging_s_own_text():
    ours, theirs = make_handler(io.StringIO()).formatter, logging.Formatter(FORMAT)
    # One formatter through a sequence: a new second, the same second again, and back in time.
    for created in (0.0, 1_764_800_000.0, 1_764_800_000.999, 1_764_800_001.5, 1_764_800_000.25):
        record = logging.makeLogRecord({"msg": "x", "created": created})
        record.msecs = int(created % 1 * 1000)
        assert ours.formatTime(record) == theirs.formatTime(record)
        assert ours.formatTime(record, "%H:%M") == theirs.formatTime(record, "%H:%M")
