"""The process's renewal threads keep every lease its jobs hold."""

import os
import signal
import threading
import time
import warnings

from lever_cezanne.deliveries import lease


def _counter(result=True):
    calls = []

    def renew():
        calls.append(time.monotonic())
        if isinstance(result, Exception):
            raise result
        return result

    return calls, renew


def _wait_for(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def _lease_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("lease ")]


def test_two_leases_held_at_once_are_both_renewed_by_the_same_threads(app):
    (first, renew_first), (second, renew_second) = _counter(), _counter()
    with (
        app.app_context(),
        lease.renewing(renew_first, 0.05, "first"),
        lease.renewing(renew_second, 0.05, "second"),
    ):
        assert _wait_for(lambda: len(first) >= 2 and len(second) >= 2)
    assert len(_lease_threads()) == lease.RENEWAL_THREADS + 1


def test_a_job_starts_no_thread_of_its_own(app):
    with app.app_context():
        with lease.renewing(lambda: True, 5.0, "warm-up"):
            pass
        before = _lease_threads()
        for n in range(50):
            with lease.renewing(lambda: True, 5.0, f"job {n}"):
                assert _lease_threads() == before


def test_renewals_stop_when_the_block_ends(app):
    calls, renew = _counter()
    with app.app_context():
        with lease.renewing(renew, 0.05, "short job"):
            assert _wait_for(lambda: len(calls) >= 1)
        time.sleep(0.1)  # a renewal already under way may still finish
        settled = len(calls)
        time.sleep(0.3)
    assert len(calls) == settled


def test_a_lease_with_nothing_left_to_hold_is_dropped(app):
    calls, renew = _counter(result=False)
    with app.app_context(), lease.renewing(renew, 0.05, "taken back"):
        assert _wait_for(lambda: len(calls) >= 1)
        time.sleep(0.3)
        assert len(calls) == 1


def test_a_failed_renewal_is_tried_again(app, caplog):
    calls, renew = _counter(result=RuntimeError("database blip"))
    with app.app_context(), lease.renewing(renew, 0.05, "blipped"):
        assert _wait_for(lambda: len(calls) >= 3)
    assert "blipped: lease not renewed; trying again" in caplog.text


def test_a_stuck_renewal_holds_up_only_its_own_lease(app):
    stuck, calls = threading.Event(), []
    others, renew_other = _counter()

    def renew_stuck():
        calls.append(1)
        stuck.wait(5)  # a dead connection, say
        return True

    try:
        with (
            app.app_context(),
            lease.renewing(renew_stuck, 0.05, "stuck"),
            lease.renewing(renew_other, 0.05, "other"),
        ):
            assert _wait_for(lambda: calls and len(others) >= 5)
            assert len(calls) == 1  # never queued again while its renewal runs
    finally:
        stuck.set()


def test_a_lease_whose_renewal_cannot_start_is_tried_again_and_spares_the_others(app, caplog):
    def broken_context():
        raise RuntimeError("no context")

    attempts, renew_broken = _counter()
    others, renew_other = _counter()
    with (
        app.app_context(),
        lease.renewing(renew_broken, 0.05, "broken", broken_context),
        lease.renewing(renew_other, 0.05, "other"),
    ):
        assert _wait_for(lambda: len(others) >= 3)
    assert attempts == []
    assert caplog.text.count("broken: lease renewal failed; trying again") >= 2


def test_a_forked_child_renews_with_threads_of_its_own(app):
    with app.app_context(), lease.renewing(lambda: True, 5.0, "parent's"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork beside threads
            pid = os.fork()
        if pid == 0:  # the child: the parent's threads are not here
            try:
                calls, renew = _counter()
                with lease.renewing(renew, 0.05, "child's"):
                    ok = _wait_for(lambda: len(calls) >= 2)
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
    assert _exit_code(pid, timeout=10) == 0


def _exit_code(pid: int, timeout: float) -> int | None:
    """The child's exit code; None (and the child killed) when it has not ended in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None
