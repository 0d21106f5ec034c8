"""The queue seam: job ids, backoff with jitter, and the in-process runner."""

import threading
from datetime import timedelta

import pytest

from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.runner import InProcessRunner, Job
from tests.jobs import WatchedRunner


def test_job_ids_name_the_delivery_and_attempt():
    assert queue.job_id(42, 3) == "delivery-42-3"


def test_backoff_grows_and_is_jittered():
    schedules = {tuple(queue.retry_intervals()) for _ in range(20)}
    assert len(schedules) > 1  # jitter: retries of a burst do not all fire together
    for schedule in schedules:
        assert len(schedule) == 5
        for seconds, nominal in zip(schedule, queue.RETRY_INTERVALS, strict=True):
            assert nominal * 0.8 - 0.1 <= seconds <= nominal * 1.2 + 0.1
        assert list(schedule) == sorted(schedule)


def test_without_redis_the_app_runs_jobs_in_process(app):
    assert app.config["REDIS_URL"] is None
    assert isinstance(app.extensions["lever_jobs"], InProcessRunner)


def test_runner_runs_jobs_on_threads_and_reports_idle(app, monkeypatch):
    from lever_cezanne.deliveries import process as delivery

    ran, gate = [], threading.Event()

    def fake_process(delivery_id, final_attempt):
        gate.wait(5)
        ran.append((delivery_id, threading.current_thread().name))

    monkeypatch.setattr(delivery, "process_delivery", fake_process)
    runner = WatchedRunner(app)
    try:
        runner.submit(7)
        assert runner.is_pending(7) and not runner.wait_idle(0.05)
        gate.set()
        assert runner.wait_idle(5)
        assert not runner.is_pending(7)
        assert ran[0][0] == 7 and ran[0][1].startswith("lever-job")
    finally:
        runner.shutdown()


def test_runner_retries_transient_failures_then_gives_the_last_attempt(app, monkeypatch):
    from lever_cezanne.deliveries import process as delivery

    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.01, 0.01))
    attempts = []

    def flaky(delivery_id, final_attempt):
        attempts.append(final_attempt)
        if not final_attempt:
            raise delivery.RetryLater("Lever is busy")

    monkeypatch.setattr(delivery, "process_delivery", flaky)
    runner = WatchedRunner(app)
    try:
        runner.submit(1)
        assert runner.wait_idle(5)
    finally:
        runner.shutdown()
    assert attempts == [False, False, True]


def test_runner_runs_any_job_with_its_own_backoff_and_retry_exception(app, caplog):
    class Busy(Exception):
        retry_after = 0

    attempts, gate = [], threading.Event()

    def sync_like(final_attempt):
        gate.wait(5)
        attempts.append(final_attempt)
        if not final_attempt:
            raise Busy()

    runner = WatchedRunner(app)
    try:
        runner.submit_job(Job("sync-9", sync_like, lambda: [0.01], (Busy,), "sync run 9"))
        assert not runner.wait_idle(0.05)  # waiting for it counts, as for deliveries
        gate.set()
        assert runner.wait_idle(5)
        assert attempts == [False, True]

        def broken(final_attempt):
            raise ValueError("a bug")

        runner.submit_job(Job("approved-3", broken, lambda: [0.01], (Busy,), "pending hire 3"))
        assert runner.wait_idle(5)  # not retried: only its own retry exception is
    finally:
        runner.shutdown()
    assert "pending hire 3: job failed unexpectedly" in caplog.text


def test_shut_down_runner_refuses_work(app):
    runner = InProcessRunner(app)
    runner.shutdown()
    try:
        runner.submit(1)
        raise AssertionError("a stopped runner must refuse jobs")
    except RuntimeError:
        pass


@pytest.mark.committed
def test_in_process_reconciler_runs_on_a_timer(app, db, make_delivery, enqueued):
    delivery = make_delivery(status="received")
    runner = InProcessRunner(app)
    try:
        runner.start_reconciler(interval=0.05)
        for _ in range(100):
            if enqueued:
                break
            threading.Event().wait(0.05)
    finally:
        runner.shutdown()
    assert enqueued[0] == (delivery.id, 1)


def test_a_job_retried_by_rq_still_counts_as_pending(redis_app, make_delivery):
    # RQ retries a job under its first id (delivery-N-1) while every run adds an attempt, so
    # after a few transient failures the live job's id no longer matches the attempt count.
    delivery = make_delivery(status="queued", attempts=3)
    queue.enqueue_delivery(delivery.id, attempt=1)
    assert queue.delivery_job_waiting(delivery.id, delivery.attempts)


def test_reconciler_leaves_a_delivery_whose_rq_retry_is_waiting(redis_app, make_delivery, db):
    from lever_cezanne.deliveries.reconciler import reconcile_deliveries

    delivery = make_delivery(status="queued", attempts=3)
    queue.enqueue_delivery(delivery.id, attempt=1)
    counts = reconcile_deliveries()
    assert counts["pending"] == 1 and counts["requeued"] == 0
    assert len(queue.rq_queue()) == 1  # no second chain of the same hire


def test_a_job_popped_by_a_worker_that_died_before_starting_it_is_not_waiting(
    redis_app, make_delivery
):
    # A worker reading several queues pops with LPOP; killed before it starts the job, it leaves
    # the job "queued" in RQ's eyes while no queue holds it, and nothing would ever run it.
    delivery = make_delivery(status="queued", attempts=1)
    queue.enqueue_delivery(delivery.id, attempt=1)
    assert queue.delivery_job_waiting(delivery.id, delivery.attempts)
    rq_queue = queue.rq_queue()
    assert rq_queue.connection.lpop(rq_queue.key) == queue.job_id(delivery.id, 1).encode()
    assert rq_queue.fetch_job(queue.job_id(delivery.id, 1)).get_status() == "queued"
    assert not queue.delivery_job_waiting(delivery.id, delivery.attempts)


def test_the_reconciler_requeues_a_delivery_whose_popped_job_was_lost(redis_app, make_delivery):
    from lever_cezanne.deliveries.reconciler import reconcile_deliveries

    delivery = make_delivery(status="queued", attempts=1)
    queue.enqueue_delivery(delivery.id, attempt=1)
    rq_queue = queue.rq_queue()
    rq_queue.connection.lpop(rq_queue.key)
    counts = reconcile_deliveries()
    assert counts["requeued"] == 1 and counts["pending"] == 0
    assert rq_queue.job_ids == [queue.job_id(delivery.id, 2)]


def test_a_scheduled_retry_waits_only_while_its_registry_holds_it(redis_app, make_delivery):
    from rq.registry import ScheduledJobRegistry

    delivery = make_delivery(status="queued", attempts=2)
    rq_queue = queue.rq_queue()
    job = rq_queue.enqueue_in(
        timedelta(minutes=5), queue.DELIVERY_JOB, delivery.id, job_id=queue.job_id(delivery.id, 1)
    )
    assert job.get_status() == "scheduled"
    assert queue.delivery_job_waiting(delivery.id, delivery.attempts)
    ScheduledJobRegistry(queue=rq_queue).remove(job)
    assert not queue.delivery_job_waiting(delivery.id, delivery.attempts)
