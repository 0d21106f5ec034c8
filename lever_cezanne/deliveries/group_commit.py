"""Group commit: what many threads of one process store at the same moment goes to the database
in one statement and one commit, and each thread still waits for that commit.

The first thread to arrive while no statement is running leads: it stores every row waiting at
that moment, its own included. Threads arriving meanwhile wait; when the statement is done each
gets its own outcome, and the first of those that arrived during it leads the next statement.
So a lone request is stored at once, as before, and under load one commit serves many requests
(the commit, and the NOTIFY it carries, are most of what PostgreSQL spends on a webhook).
"""

import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class Interrupted(RuntimeError):
    """The statement that should have stored an item did not run to its end (its leading thread
    was interrupted, or the store answered the wrong number of outcomes)."""


class _Waiter(Generic[Item]):
    __slots__ = ("_woken", "item", "leads", "outcome", "stored")

    def __init__(self, item: Item):
        self.item = item
        self.leads = False  # woken to lead the next statement, not with an outcome
        self.stored = False  # an outcome was set
        self.outcome: object = None
        self._woken = threading.Lock()
        self._woken.acquire()

    def wait(self) -> None:
        self._woken.acquire()

    def wake(self) -> None:
        self._woken.release()


class GroupCommit(Generic[Item, Outcome]):
    """Run `store(items)` for items submitted by many threads, one call at a time.

    `store` returns one outcome per item, in order: a value, or an exception to raise in the
    thread that submitted that item. An exception raised by `store` itself is every item's: each
    thread raises its own copy, caused by it (one object raised in several threads at once would
    mix their tracebacks).
    """

    def __init__(self, store: Callable[[Sequence[Item]], Sequence[Outcome | Exception]]):
        self._store = store
        self._lock = threading.Lock()
        self._waiting: list[_Waiter[Item]] = []
        self._running = False  # a statement is being run, or about to be, by a leader
        # A child forked while a statement ran would wait for it for ever: it starts afresh.
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (group := ref()) and group._forget())

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._waiting = []
        self._running = False

    def submit(self, item: Item) -> Outcome:
        """Store one item with whatever else is waiting; return its outcome or raise its error."""
        waiter = _Waiter(item)
        with self._lock:
            self._waiting.append(waiter)
            leads = not self._running
            self._running = True
        if not leads:
            try:
                waiter.wait()
            except BaseException:
                self._abandon(waiter)  # a signal's exception: no other thread may wait on it
                raise
            leads = waiter.leads
        if leads:
            self._lead(waiter)
        if isinstance(waiter.outcome, Exception):
            raise waiter.outcome
        return waiter.outcome  # type: ignore[return-value]

    def _abandon(self, waiter: _Waiter[Item]) -> None:
        """Take an interrupted waiter out of the queue; pass the lead on if it was given it."""
        with self._lock:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            if not waiter.leads:
                return  # a leader has its item, and wakes a lock nobody waits on: harmless
            following = self._next_leader()
        if following is not None:
            following.wake()

    def _next_leader(self) -> _Waiter[Item] | None:
        """Under the lock: give the lead to the first waiter, or note that none runs."""
        following = self._waiting[0] if self._waiting else None
        if following is None:
            self._running = False
        else:
            following.leads = True
        return following

    def _lead(self, leader: _Waiter[Item]) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            outcomes = self._store([waiter.item for waiter in batch])
            if len(outcomes) != len(batch):
                raise Interrupted(f"{len(outcomes)} outcomes for {len(batch)} items")
            for waiter, outcome in zip(batch, outcomes, strict=True):
                waiter.outcome, waiter.stored = outcome, True
        except Exception as exc:
            for waiter in batch:
                if not waiter.stored:
                    waiter.outcome = exc if waiter is leader else _own_copy(exc)
                    waiter.stored = True
        finally:
            self._hand_over(leader, batch)

    def _hand_over(self, leader: _Waiter[Item], batch: list[_Waiter[Item]]) -> None:
        """Wake the batch's waiters, and the next leader if rows arrived meanwhile."""
        with self._lock:
            following = self._next_leader()
        for waiter in batch:
            if waiter is leader:
                continue
            if not waiter.stored:  # only when the leader was interrupted (BaseException)
                waiter.outcome = Interrupted("the statement storing this row was interrupted")
            waiter.wake()
        if following is not None:
            following.wake()


def _own_copy(exc: Exception) -> Exception:
    """A twin of the error for one more thread to raise, caused by it: of the same type, with the
    same arguments and attributes (made without calling its constructor, which may reformat them,
    nor its pickling, which may change the original), so the thread's handlers treat it alike."""
    cls = type(exc)
    try:
        twin = cls.__new__(cls, *exc.args)
        twin.__dict__.update(exc.__dict__)
    except Exception:
        return exc
    twin.args = exc.args
    twin.__cause__, twin.__traceback__ = exc, None
    return twin
