"""rq's SimpleWorker with a job's Redis bookkeeping in fewer round trips.

rq 3.0's SimpleWorker makes about fourteen round trips to Redis for every job, three of them to
dequeue it: two transactions to start it, a heartbeat when it ends, a WATCH, a read of its
dependents and a third transaction to record its result, plain heartbeats, and the worker's idle
state twice. For a hire that was a quarter of the worker's CPU. LeanWorker makes five: the
dequeue, and two transactions that write the keys rq writes:
- the start: the execution record, the started-job registry, the worker's busy state and
  heartbeat, the job's started status (rq's prepare_execution and prepare_job_execution, merged);
- the end of a job that returned: the job's last heartbeat, finished status and result, the
  finished-job registry, the worker's counters, the execution taken out, and the worker's idle
  state (rq's handle_execution_ended, handle_job_success and set_state, merged).
The wait for the next job does not write the idle state again, and the plain heartbeats around a
job are skipped (the start's heartbeat keeps the worker's key as long as a plain one would).

What differs from rq: during a job the main worker's key lives 480 s, not 240; rq's "Successfully
completed" and result-lifespan log lines are one "Job OK" line. Dependents: the end's transaction
asks whether other jobs wait for this one, and rq enqueues them after it; this app enqueues none
that wait (rq would also recover them after a crash at that moment, LeanWorker does not). A job
that raised (RQ's retries, a failure), returned rq's Retry, keeps no result, or has a success
callback or repeats goes through rq's own code.
"""

import sys
import time

from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job, JobStatus, Retry
from rq.queue import Queue
from rq.timeouts import JobTimeoutException
from rq.utils import now
from rq.worker import WorkerStatus

# rq sends a worker's plain heartbeat (three Redis commands) before, after and again after every
# job, to keep a key alive for worker_ttl + 60 seconds: one a second says as much.
HEARTBEAT_EVERY = 1.0
# rq asks Redis whether workers are suspended (`rq suspend`) before every job: once a second is
# soon enough for a command an operator types.
SUSPENSION_CHECK_EVERY = 1.0


class LeanWorker(SimpleWorker):
    """An RQ SimpleWorker that records each job's start and success in one transaction each."""

    _alive_until = 0.0  # time.monotonic() until which the last heartbeat sent keeps the key
    _suspension_checked = float("-inf")  # time.monotonic() of the last look

    def execute_job(self, job: Job, queue: Queue) -> None:
        """SimpleWorker's execute_job and perform_job, with the bookkeeping merged."""
        if (
            job.repeats_left
            or job._success_callback_name
            or job.get_result_ttl(self.default_result_ttl) == 0
        ):
            super().execute_job(job, queue)
            return
        execution = self._start(job)  # outside the try, as rq's prepare_execution
        try:
            job.started_at = now()
            timeout = job.timeout or self.queue_class.DEFAULT_TIMEOUT
            with self.death_penalty_class(timeout, JobTimeoutException, job_id=job.id):
                return_value = job.perform()
            if isinstance(return_value, Retry):
                self._finalize_success(job, queue, execution, return_value)
            else:
                self._succeed(job, queue, execution, return_value)
        except:  # noqa: E722 -- as rq's perform_job: whatever raised is the job's failure
            self._finalize_failure(job, queue, execution, sys.exc_info())
        self.set_state(WorkerStatus.IDLE)  # written already after a success

    def _start(self, job: Job) -> Execution:
        ttl = self.get_heartbeat_ttl(job)
        with self.connection.pipeline() as pipe:
            execution = Execution.create(job, ttl, pipeline=pipe, worker_name=self.name)
            self.executions[execution.id] = execution
            self.set_state(WorkerStatus.BUSY, pipeline=pipe)
            # As long as a plain heartbeat, if longer: the plain ones after the job are then
            # skipped (see heartbeat).
            self.heartbeat(max(ttl, self.worker_ttl + 60), pipeline=pipe)
            job.prepare_for_execution(self.name, pipeline=pipe)  # the job's heartbeat too
            pipe.persist(job.key)
            if len(self.queues) == 1:  # rq then moved the job through its intermediate queue
                intermediate = Queue(job.origin, connection=self.connection).intermediate_queue_key
                pipe.lrem(intermediate, 1, job.id)
            pipe.execute()
        self.procline(f"Processing {job.func_name} from {job.origin} since {time.time()}")
        return execution

    def _succeed(self, job: Job, queue: Queue, execution: Execution, return_value) -> None:
        job.ended_at = now()
        job._result = return_value
        result_ttl = job.get_result_ttl(self.default_result_ttl)
        with self.connection.pipeline() as pipe:
            job.heartbeat(job.ended_at, job.success_callback_timeout, pipeline=pipe)
            self.increment_successful_job_count(pipeline=pipe)
            self.increment_total_working_time(job.ended_at - job.started_at, pipe)
            job._handle_success(
                result_ttl,
                pipeline=pipe,
                worker_name=self.name,
                execution_id=execution.id,
                execution_started_at=execution.created_at,
                execution_ended_at=job.ended_at,
            )
            job.cleanup(result_ttl, pipeline=pipe, remove_from_queue=False)
            self.cleanup_execution(job, pipeline=pipe, execution=execution)
            # Idle in Redis with the rest; in memory at the very end (until then a SIGTERM finds
            # the worker busy, as in rq, and lets the job end).
            pipe.hset(self.key, "state", WorkerStatus.IDLE)
            pipe.exists(job.dependents_key)
            has_dependents = pipe.execute()[-1]
        job._status = JobStatus.FINISHED
        if has_dependents:
            self._enqueue_dependents_safely(queue, job)
        self._release_slot_safely(job)
        job.send_webhooks(JobStatus.FINISHED)
        self.log.info(
            "Worker %s: %s: Job OK (%s) in %ss",
            self.name,
            job.origin,
            job.id,
            job.ended_at - job.started_at,
        )
        self._state = WorkerStatus.IDLE  # last, as rq's execute_job

    def set_state(self, state: str, pipeline=None) -> None:
        """Write the worker's state, unless it is the state last written (rq writes idle both
        after a job and again before waiting for the next)."""
        if pipeline is None and state == self._state:
            return
        super().set_state(state, pipeline)

    def check_for_suspension(self, burst: bool) -> None:
        if time.monotonic() - self._suspension_checked < SUSPENSION_CHECK_EVERY:
            return
        super().check_for_suspension(burst)  # waits here while suspended
        self._suspension_checked = time.monotonic()

    def heartbeat(self, timeout=None, pipeline=None):
        """Skip a plain heartbeat while the last one sent keeps the worker's key alive within
        HEARTBEAT_EVERY of as long as a plain one would."""
        clock, plain = time.monotonic(), self.worker_ttl + 60  # rq's default timeout
        if (
            timeout is None
            and pipeline is None
            and self._alive_until - clock > plain - HEARTBEAT_EVERY
        ):
            return
        self._alive_until = clock + (timeout or plain)
        super().heartbeat(timeout, pipeline)
