"""A job killed right after any of its commits is completed by the retry, with nothing doubled.

process_delivery commits several times (the claim, a new person with their records, the
Documents with the outcome). Here the process "dies" (an exception no
handler catches, as with SIGKILL) just after the 1st, 2nd, ... commit of a run; once its lease
has lapsed, the run the reconciler queues then processes the same delivery again.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lever_cezanne import extensions
from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.models import Employment, LogEntry, Person, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.lever.lever_helpers import authorise, new_integration

# Jobs killed after each commit, then retried, need data committed for real.
pytestmark = pytest.mark.committed


class Killed(BaseException):
    """The worker vanished: no except Exception, rollback or finally-commit runs."""


@pytest.fixture
def integration(db, lever_server, make_user, make_company, make_process):
    make_process()
    admin = make_user("hr", username="nina", display_name="Nina New-Hire")
    return authorise(new_integration(admin, make_company(code="ACME")))


@pytest.fixture
def delivery_for(db, lever_server, integration):
    integration_id = integration.id

    def make(n: int) -> int:
        opportunity_id = lever_server.store.add_candidate(
            {"name": f"Crash Tester{chr(65 + n)}", "emails": [f"crash{n}@example.com"]}
        )
        lever_server.store.hire(opportunity_id)
        delivery = WebhookDelivery(
            integration_id=integration_id,
            token_hash=f"{n:064x}",
            event="candidateHired",
            opportunity_id=opportunity_id,
            triggered_at=1700000000000 + n,
            payload="{}",
        )
        db.session.add(delivery)
        db.session.commit()
        return delivery.id

    return make


def _kill_after_commit(monkeypatch, session, number: int) -> list:
    """Make the session's nth commit the last thing the process does."""
    real_commit, seen = session.commit, []

    def commit():
        real_commit()
        seen.append(1)
        if len(seen) == number:
            raise Killed

    monkeypatch.setattr(session, "commit", commit)
    return seen


def _state(db, delivery_id: int) -> dict:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    db.session.refresh(delivery)
    person_code = db.session.scalar(
        select(Person.person_code).where(Person.lever_opportunity_id == delivery.opportunity_id)
    )
    rows = db.session.execute(
        select(LogEntry.level, LogEntry.message).where(LogEntry.delivery_id == delivery_id)
    ).all()
    return {
        "status": delivery.status,
        "people": db.session.scalar(
            select(func.count()).select_from(Person).where(Person.person_code == person_code)
        ),
        "employments": db.session.scalar(
            select(func.count())
            .select_from(Employment)
            .join(Person, Employment.person_id == Person.id)  # not the line manager's key
            .where(Person.person_code == person_code)
        ),
        "tasks": db.session.scalar(
            select(func.count())
            .select_from(Task)
            .join(Person, Task.person_id == Person.id)
            .where(Person.person_code == person_code)
        ),
        "log": rows,
    }


def _status(delivery_id: int) -> str:
    status = extensions.db.session.get(WebhookDelivery, delivery_id).status
    extensions.db.session.remove()
    return status


def _lapse_lease(delivery_id: int) -> None:
    """Time passes: the dead run's lease is over."""
    session = extensions.db.session
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    session.remove()


def kill_after_each_commit(monkeypatch, delivery_for) -> dict[int, int]:
    """For n = 1, 2, ...: kill a fresh delivery's run after its nth commit, then retry it."""
    killed_at: dict[int, int] = {}
    for number in range(1, 30):
        delivery_id = delivery_for(number)
        _kill_after_commit(monkeypatch, extensions.db.session(), number)
        try:
            process_delivery(delivery_id, final_attempt=False)
        except Killed:
            killed_at[number] = delivery_id
        finally:
            monkeypatch.undo()
            extensions.db.session.remove()  # the dead process's connection is gone
        if number not in killed_at:
            return killed_at  # this run had fewer commits: every window was tried
        # While the dead run's lease holds, another job leaves the delivery alone.
        if _status(delivery_id) == "processing":
            assert process_delivery(delivery_id, final_attempt=False) is None
            _lapse_lease(delivery_id)
        # The run the reconciler queues; after the last commit it finds the delivery done.
        assert process_delivery(delivery_id, final_attempt=False) in ("completed", None)
    raise AssertionError("a run committed more than 30 times")


@pytest.fixture
def crash_outcomes(db, monkeypatch, delivery_for) -> dict[int, dict]:
    outcomes = {
        number: _state(db, delivery_id)
        for number, delivery_id in kill_after_each_commit(monkeypatch, delivery_for).items()
    }
    summary = {
        n: (s["people"], s["employments"], s["tasks"], [m[:40] for _, m in s["log"]])
        for n, s in outcomes.items()
    }
    print(f"\nCRASH WINDOWS: a kill after commit n, then the retry -> (people, employments, "
          f"tasks, log rows): {summary}")  # fmt: skip
    return outcomes


def test_a_kill_after_any_commit_is_completed_by_the_retry(crash_outcomes):
    # A hire commits at least 3 times: the claim, the records (person, employment, task and their
    # rows), the Documents with the outcome.
    assert len(crash_outcomes) >= 3
    for number, state in crash_outcomes.items():
        assert (state["people"], state["employments"], state["tasks"]) == (1, 1, 1), (number, state)
        assert state["status"] == "completed", (number, state)


def test_a_retried_hire_still_logs_one_new_starter_row(crash_outcomes):
    for number, state in crash_outcomes.items():
        information = [m for level, m in state["log"] if level == "information"]
        assert len(information) == 1, (number, information)
        assert information[0].startswith("New Starter Process started"), (number, information)
