"""LeanWorker: what rq's SimpleWorker leaves in Redis, in fewer round trips."""

import re
from datetime import date

import pytest
from redis.connection import Connection
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import StopRequested
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.suspension import resume, suspend

from lever_cezanne.deliveries.lanes import LANE_TTL, LaneWorker, LeadWorker
from lever_cezanne.deliveries.lean_worker import (
    HEARTBEAT_EVERY,
    SUSPENSION_CHECK_EVERY,
    LeanWorker,
)

QUEUE = "lean-test"


def returns(value):
    return {"got": value}


def raises(value):
    raise ValueError(f"refused {value}")


def returns_a_date(value):
    return date(2026, 12, value)  # not JSON: rq keeps a stand-in for its result


def _queue(rq_redis, name=QUEUE) -> Queue:
    return Queue(name, connection=rq_redis, serializer=JSONSerializer)


def _enqueue_scenario(rq_redis) -> None:
    """A job that returns, one that fails once and is retried, one that fails for good, one whose
    result is not JSON, one whose result is not kept, and a job waiting for each of two."""
    queue = _queue(rq_redis)
    first = queue.enqueue(returns, 1, job_id="ok", result_ttl=600)
    queue.enqueue(raises, 2, job_id="retried", retry=Retry(max=1), failure_ttl=600)
    queue.enqueue(raises, 3, job_id="failed", failure_ttl=600)
    queue.enqueue(returns_a_date, 4, job_id="not-json", result_ttl=600)
    unkept = queue.enqueue(returns, 5, job_id="unkept", result_ttl=0)
    queue.enqueue(returns, 6, job_id="after-ok", depends_on=first, result_ttl=600)
    queue.enqueue(returns, 7, job_id="after-unkept", depends_on=unkept, result_ttl=600)


# Hash and stream fields compared by value too (the others by name: times and ids differ).
VALUES = {"status", "state", "successful_job_count", "failed_job_count", "type", "worker_name"}


def _shape(rq_redis) -> dict:
    """Every key with its type and what it holds, minus times, execution ids and TTL values."""

    def plain(text):
        text = text.decode() if isinstance(text, bytes) else str(text)
        return re.sub(r"\b[0-9a-f]{32}\b", "<execution>", text)

    def fields(mapping):
        named = ((plain(field), value) for field, value in mapping.items())
        return sorted(
            f"{field}={plain(value)}" if field in VALUES else field for field, value in named
        )

    shape = {}
    for key in sorted(rq_redis.keys("*")):
        kind = rq_redis.type(key).decode()
        if kind == "hash":
            held = fields(rq_redis.hgetall(key))
        elif kind == "set":
            held = sorted(plain(member) for member in rq_redis.smembers(key))
        elif kind == "zset":
            held = sorted(plain(member) for member in rq_redis.zrange(key, 0, -1))
        elif kind == "list":
            held = [plain(item) for item in rq_redis.lrange(key, 0, -1)]
        elif kind == "stream":
            held = [fields(entry) for _, entry in rq_redis.xrange(key)]
        else:
            held = plain(rq_redis.get(key)) if kind == "string" else kind
        shape[plain(key)] = (kind, held, rq_redis.ttl(key) > 0)
    return shape


def _run(rq_redis, worker_class) -> dict:
    rq_redis.flushdb()
    _enqueue_scenario(rq_redis)
    worker = worker_class(
        [_queue(rq_redis)], connection=rq_redis, serializer=JSONSerializer, name="w"
    )
    worker.work(burst=True)
    for waiting, value in (("after-ok", 6), ("after-unkept", 7)):
        job = Job.fetch(waiting, connection=rq_redis, serializer=JSONSerializer)
        assert job.return_value() == {"got": value}
    return _shape(rq_redis)


def test_it_leaves_in_redis_what_rq_s_simple_worker_leaves(rq_redis):
    rq_shape = _run(rq_redis, SimpleWorker)
    lean_shape = _run(rq_redis, LeanWorker)
    assert lean_shape == rq_shape
    assert "rq:job:ok" in lean_shape and "rq:results:ok" in lean_shape  # the scenario ran
    finished = ["after-ok", "after-unkept", "not-json", "ok"]
    assert lean_shape["rq:finished:lean-test"][1] == finished
    assert lean_shape["rq:failed:lean-test"][1] == ["failed", "retried"]
    assert "status=finished" in lean_shape["rq:job:ok"][1]
    assert "successful_job_count=5" in lean_shape["rq:worker:w"][1]


def _round_trips(rq_redis, monkeypatch, worker_class, jobs: int) -> int:
    rq_redis.flushdb()
    queue = _queue(rq_redis)
    for n in range(jobs):
        queue.enqueue(returns, n, result_ttl=600)
    worker = worker_class([queue], connection=rq_redis, serializer=JSONSerializer)
    sent = []
    original = Connection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sent.append(command)
        return original(connection, command, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Connection, "send_packed_command", counted)
        worker.work(burst=True)
    assert queue.finished_job_registry.count == jobs
    return len(sent)


def test_a_job_costs_under_half_the_round_trips(rq_redis, monkeypatch):
    """rq's SimpleWorker: about fourteen round trips a job; LeanWorker: the dequeue (a pop and
    the job's read), its start and its end. Told by 40 jobs less 20, without the worker's own
    start and end."""

    def per_job(worker_class):
        many = _round_trips(rq_redis, monkeypatch, worker_class, 40)
        return (many - _round_trips(rq_redis, monkeypatch, worker_class, 20)) / 20

    rq_trips, lean_trips = per_job(SimpleWorker), per_job(LeanWorker)
    assert lean_trips < rq_trips / 2, (lean_trips, rq_trips)
    assert lean_trips <= 5, lean_trips


def test_a_job_s_start_keeps_the_worker_alive_as_long_as_a_plain_heartbeat(rq_redis):
    """So the plain heartbeats rq sends after every job can be skipped."""
    queue = _queue(rq_redis)
    queue.enqueue(returns, 1, result_ttl=600)
    worker = LeadWorker([queue], connection=rq_redis, serializer=JSONSerializer)
    worker.register_birth()
    job, job_queue = worker.dequeue_job_and_maintain_ttl(None)
    worker.execute_job(job, job_queue)
    assert queue.finished_job_registry.count == 1
    assert rq_redis.ttl(worker.key) > worker.dequeue_timeout
    sent = worker.last_heartbeat
    worker.heartbeat()
    assert worker.last_heartbeat == sent


def test_a_plain_heartbeat_goes_at_most_once_a_second(rq_redis):
    """rq calls it around every job; one a second keeps the worker's key alive as well."""
    lane = LaneWorker(
        [_queue(rq_redis)], connection=rq_redis, serializer=JSONSerializer, worker_ttl=LANE_TTL
    )
    lane.heartbeat()
    first = lane.last_heartbeat
    lane.heartbeat()
    assert lane.last_heartbeat == first  # skipped: sent a moment ago
    lane._alive_until -= HEARTBEAT_EVERY
    lane.heartbeat()
    assert lane.last_heartbeat > first  # a second on: sent again


def test_a_suspension_is_looked_for_at_most_once_a_second(rq_redis):
    lane = LaneWorker(
        [_queue(rq_redis)], connection=rq_redis, serializer=JSONSerializer, worker_ttl=LANE_TTL
    )
    lane.check_for_suspension(burst=True)  # not suspended: goes on
    suspend(rq_redis)
    try:
        lane.check_for_suspension(burst=True)  # looked a moment ago: goes on
        lane._suspension_checked -= SUSPENSION_CHECK_EVERY
        with pytest.raises(StopRequested):  # a second on: sees it (a burst worker stops)
            lane.check_for_suspension(burst=True)
    finally:
        resume(rq_redis)


def test_a_shorter_heartbeat_is_followed_by_a_plain_one(rq_redis):
    """A heartbeat shorter than the main worker's own (a job's TTL): the plain heartbeat after
    it restores the worker's, however recent the last one was."""
    queue = _queue(rq_redis)
    worker = LeadWorker([queue], connection=rq_redis, serializer=JSONSerializer)
    worker.heartbeat()
    with rq_redis.pipeline() as pipeline:
        worker.heartbeat(240, pipeline=pipeline)
        pipeline.execute()
    assert rq_redis.ttl(worker.key) <= 240
    worker.heartbeat()
    assert rq_redis.ttl(worker.key) > worker.dequeue_timeout
    # A job's TTL longer than a lane's own keeps the lane's key alive: nothing to send.
    lane = LaneWorker([queue], connection=rq_redis, serializer=JSONSerializer, worker_ttl=LANE_TTL)
    lane.heartbeat(240)
    sent = lane.last_heartbeat
    lane.heartbeat()
    assert lane.last_heartbeat == sent and rq_redis.ttl(lane.key) > LANE_TTL + 60
