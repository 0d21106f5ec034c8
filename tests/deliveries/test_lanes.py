"""`flask worker`'s lanes: RQ workers on threads run jobs at the same time and stop cleanly."""

import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from rq.serializers import JSONSerializer

from lever_cezanne.deliveries import lanes as lanes_module
from lever_cezanne.deliveries.lanes import LANE_TTL, Lanes, LaneWorker

QUEUE = "lanes-test"
RUNNING: dict[str, float] = {}  # job number -> when it started, filled by the jobs themselves
_guard = threading.Lock()


def slow_job(number: int) -> str:
    """A job that takes a moment and says on which thread it ran."""
    with _guard:
        RUNNING[str(number)] = time.monotonic()
    time.sleep(0.3)
    return threading.current_thread().name


def _lanes(app, rq_redis, count: int) -> Lanes:
    def make():
        queue = Queue(QUEUE, connection=rq_redis, serializer=JSONSerializer)
        return LaneWorker(
            [queue], connection=rq_redis, serializer=JSONSerializer, worker_ttl=LANE_TTL
        )

    return Lanes(app, make, count)


def test_lanes_run_jobs_at_the_same_time_on_their_own_threads(app, rq_redis):
    queue = Queue(QUEUE, connection=rq_redis, serializer=JSONSerializer)
    jobs = [queue.enqueue(slow_job, n, result_ttl=60) for n in range(4)]
    lanes = _lanes(app, rq_redis, 2).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(j.get_status() != "finished" for j in jobs):
        time.sleep(0.01)
    assert lanes.stop(wait=30)
    assert {job.return_value() for job in jobs} == {"lever-lane-2", "lever-lane-3"}
    # Two lanes ran at the same time: some two jobs' runs (RQ's started/ended) overlap. Told by
    # the jobs' own times, not by the wall clock, which a busy machine stretches.
    for job in jobs:
        job.refresh()
    runs = [(job.started_at, job.ended_at) for job in jobs]
    assert any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(runs) for b in runs[i + 1 :])


def test_a_stopped_lane_finishes_its_job_first(app, rq_redis):
    queue = Queue(QUEUE, connection=rq_redis, serializer=JSONSerializer)
    RUNNING.clear()
    job = queue.enqueue(slow_job, 99, result_ttl=60)
    lanes = _lanes(app, rq_redis, 1).start()
    deadline = time.monotonic() + 10
    while "99" not in RUNNING and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lanes.stop(wait=30)  # asked in the middle of the job
    job.refresh()
    assert job.get_status() == "finished"


def test_a_lane_whose_rq_loop_quit_on_an_error_starts_a_new_worker(app, rq_redis, monkeypatch):
    """rq's loop quits on an error outside a job (here Redis gone when it looks for a
    suspension): the lane goes on with a new RQ worker instead of ending its thread."""
    monkeypatch.setattr(lanes_module, "RESTART_WAIT", 0.1)
    failed: list[str] = []
    look = LaneWorker.check_for_suspension

    def once_gone(worker, burst):
        if not failed:
            failed.append(worker.name)
            raise RedisConnectionError("Connection refused")
        return look(worker, burst)

    monkeypatch.setattr(LaneWorker, "check_for_suspension", once_gone)
    queue = Queue(QUEUE, connection=rq_redis, serializer=JSONSerializer)
    running = _lanes(app, rq_redis, 1).start()
    job = queue.enqueue(slow_job, 7, result_ttl=60)
    deadline = time.monotonic() + 20
    while job.get_status() != "finished" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.stop(wait=30)
    assert failed and running.workers[0].name != failed[0]
    assert job.return_value() == "lever-lane-2"
