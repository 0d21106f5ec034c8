"""The process's one renewer thread keeps every lease its jobs hold."""

import os
import threading
import time

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


def test_two_leases_held_at_once_are_both_renewed_by_one_thread(app):
    (first, renew_first), (second, renew_second) = _counter(), _counter()
    with (
        app.app_context(),
        lease.renewing(renew_first, 0.05, "first"),
        lease.renewing(renew_second, 0.05, "second"),
    ):
        assert _wait_for(lambda: len(first) >= 2 and len(second) >= 2)
        renewers = [t for t in threading.enumerate() if t.name == "lease renewer"]
    assert len(renewers) == 1


def test_a_job_starts_no_thread_of_its_own(app):
    with app.app_context():
        with lease.renewing(lambda: True, 5.0, "warm-up"):
            pass
        before = threading.active_count()
        for n in range(50):
            with lease.renewing(lambda: True, 5.0, f"job {n}"):
                assert threading.active_count() == before


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


def test_a_forked_child_renews_with_a_thread_of_its_own(app):
    with app.app_context(), lease.renewing(lambda: True, 5.0, "parent's"):
        pid = os.fork()
        if pid == 0:  # the child: the parent's thread is not here
            try:
                calls, renew = _counter()
                with lease.renewing(renew, 0.05, "child's"):
                    ok = _wait_for(lambda: len(calls) >= 2)
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
