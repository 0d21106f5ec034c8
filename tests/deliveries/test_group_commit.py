"""Group commit: a lone item is stored at once; items arriving while a statement runs are stored
together by the next one; each thread gets its own outcome or error."""

import os
import threading
import time

import pytest

from lever_cezanne.deliveries import group_commit
from lever_cezanne.deliveries.group_commit import GroupCommit, Interrupted


class _Signal(BaseException):
    """What a signal handler might raise in a waiting thread."""


class _Store:
    """A store whose first call waits until released, so that others queue behind it."""

    def __init__(self):
        self.batches: list[list] = []
        self.running = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def hold_next(self):
        self.release.clear()

    def __call__(self, items):
        self.batches.append(list(items))
        self.running.set()
        assert self.release.wait(10)
        return [ValueError(f"bad {item}") if item < 0 else item * 10 for item in items]


def _in_threads(commit, items, queue=True):
    """Submit each item from a thread of its own; return {item: outcome or error} and the
    threads, started in order (each once the previous has queued, when `queue`)."""
    outcomes, threads = {}, []

    def submit(item):
        try:
            outcomes[item] = commit.submit(item)
        except (Exception, _Signal) as exc:  # the test compares it
            outcomes[item] = exc

    for item in items:
        waiting = len(commit._waiting)
        thread = threading.Thread(target=submit, args=(item,), daemon=True)
        thread.start()
        threads.append(thread)
        if queue:
            _wait_for(lambda: len(commit._waiting) > waiting)  # noqa: B023 (checked at once)
    return outcomes, threads


def _join(threads):
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive(), "a thread is still waiting: the group is stuck"


def _behind_a_running_statement(commit, store, items) -> tuple[dict, dict]:
    """Submit 1, which is held in its statement; queue `items` behind it; let it finish.
    Return the outcomes of 1 and of the items."""
    store.hold_next()
    first, threads = _in_threads(commit, [1], queue=False)
    assert store.running.wait(10)  # the first statement runs, holding its thread
    later, more = _in_threads(commit, items)
    store.release.set()
    _join(threads + more)
    return first, later


def _wait_for(condition, seconds=10.0):
    done = threading.Event()
    for _ in range(int(seconds * 100)):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("timed out")


def test_a_lone_item_is_stored_at_once_by_its_own_thread():
    store = _Store()
    commit = GroupCommit(store)
    assert commit.submit(1) == 10
    assert commit.submit(2) == 20
    assert store.batches == [[1], [2]]
    assert commit._running is False and commit._waiting == []


def test_items_arriving_during_a_statement_are_stored_together_by_the_next():
    store = _Store()
    commit = GroupCommit(store)
    first, later = _behind_a_running_statement(commit, store, [2, 3, -4, 5])
    assert store.batches == [[1], [2, 3, -4, 5]]
    assert first == {1: 10}
    assert {k: v for k, v in later.items() if k != -4} == {2: 20, 3: 30, 5: 50}
    # An item's error is raised in its own thread only.
    assert isinstance(later[-4], ValueError) and str(later[-4]) == "bad -4"
    assert commit._running is False and commit._waiting == []


def test_an_error_of_the_store_itself_is_every_items_and_the_next_still_runs():
    calls = []

    def store(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise ConnectionError("database gone")
        return [item for item in items]

    commit = GroupCommit(store)
    with pytest.raises(ConnectionError, match="database gone"):
        commit.submit(1)
    assert commit.submit(2) == 2  # nothing is left stuck behind the failed statement


def test_an_error_of_the_store_is_raised_in_each_thread_as_its_own_copy():
    store = _Store()
    failing = [False]

    def flaky(items):
        outcomes = store(items)
        if failing[0]:
            raise ConnectionError("database gone", len(items))
        failing[0] = True
        return outcomes

    commit = GroupCommit(flaky)
    first, later = _behind_a_running_statement(commit, store, [2, 3, 4])
    assert first == {1: 10}
    errors = [later[item] for item in (2, 3, 4)]
    # The same error for each (its type and arguments), but each thread's own object, whose
    # traceback is that thread's alone, caused by the one the store raised.
    assert all(type(e) is ConnectionError and e.args == ("database gone", 3) for e in errors)
    assert len({id(e) for e in errors}) == 3
    causes = {id(e.__cause__) for e in errors if e.__cause__ is not None}
    assert len(causes) == 1 and not any(id(e) in causes for e in errors[1:])


def test_a_store_answering_the_wrong_number_of_outcomes_fails_every_item():
    store = _Store()

    def short(items):
        return store(items)[:1]  # one outcome, however many items

    commit = GroupCommit(short)
    first, later = _behind_a_running_statement(commit, store, [2, 3])
    assert first == {1: 10}
    assert all(isinstance(later[item], Interrupted) for item in (2, 3))
    assert "1 outcomes for 2 items" in str(later[2])
    assert commit._running is False


def test_many_threads_each_get_their_own_outcome():
    commit = GroupCommit(lambda items: [item * 10 for item in items])
    results = {}

    def worker(base):
        for n in range(200):
            item = base * 1000 + n
            results[item] = commit.submit(item)

    threads = [threading.Thread(target=worker, args=(b,), daemon=True) for b in range(8)]
    for thread in threads:
        thread.start()
    _join(threads)
    assert len(results) == 1600
    assert all(outcome == item * 10 for item, outcome in results.items())
    assert commit._running is False and commit._waiting == []


def test_an_interrupted_waiter_chosen_to_lead_passes_the_lead_on(monkeypatch):
    store = _Store()
    commit = GroupCommit(store)
    real_wait = group_commit._Waiter.wait

    def wait(waiter):
        real_wait(waiter)
        if waiter.item == 2:  # woken to lead the next statement, then a signal arrives
            raise _Signal

    monkeypatch.setattr(group_commit._Waiter, "wait", wait)
    first, later = _behind_a_running_statement(commit, store, [2, 3])
    assert first == {1: 10}
    assert isinstance(later[2], _Signal)
    assert later[3] == 30  # led by the next waiter, not left behind the interrupted one
    assert store.batches == [[1], [3]]
    assert commit._running is False and commit._waiting == []
    assert commit.submit(4) == 40


def test_a_child_forked_during_a_statement_does_not_wait_for_it():
    commit = GroupCommit(lambda items: [item * 10 for item in items])
    commit._running = True  # as if a thread of the parent were running a statement
    pid = os.fork()
    if pid == 0:  # the child: exits 0 only if its own submit is stored at once
        os._exit(0 if commit.submit(1) == 10 else 1)
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError("the child waited for its parent's statement")
    assert os.waitstatus_to_exitcode(status) == 0
    commit._running = False
