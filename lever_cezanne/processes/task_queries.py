"""Read New Starter tasks: one person's, and the keyset-paged task lists."""

import base64
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lever_cezanne.core.pagination import KeysetPage, keyset_page
from lever_cezanne.core.template_filters import local_today
from lever_cezanne.extensions import db
from lever_cezanne.models import Person, Task
from lever_cezanne.models.processes import TASK_COMPLETED, TASK_OPEN
from lever_cezanne.people.queries import matching_people

TASK_STATUSES = {TASK_OPEN: "Open", TASK_COMPLETED: "Completed"}
OVERDUE = "overdue"


def _name_cursor(name: str) -> str:
    """A name as one cursor part: names hold dots, spaces, anything; base64url holds none."""
    return base64.urlsafe_b64encode(name.encode()).decode()


def _name_from_cursor(part: str) -> str:
    return base64.urlsafe_b64decode(part.encode()).decode()  # bad input: ValueError, 1st page


def person_tasks(person: Person) -> list[Task]:
    """Return the person's New Starter tasks, open first, newest first."""
    query = (
        select(Task)
        .where(Task.person_id == person.id)
        .options(joinedload(Task.definition), joinedload(Task.assignee))
        .order_by(Task.status.desc(), Task.id.desc())
    )
    return list(db.session.scalars(query))


def tasks_page(
    assignee_id: int | None = None,
    status: str = "",
    q: str = "",
    after: str | None = None,
    before: str | None = None,
    sort: str = "",
) -> KeysetPage:
    """Return a page of tasks, open first then newest first (or soonest due, or by the person's
    name), filtered as asked."""
    query = select(Task).options(
        joinedload(Task.person), joinedload(Task.definition), joinedload(Task.assignee)
    )
    if assignee_id is not None:
        query = query.where(Task.assignee_id == assignee_id)
    if status in TASK_STATUSES:
        query = query.where(Task.status == status)
    elif status == OVERDUE:
        query = query.where(Task.status == TASK_OPEN, Task.due_date < local_today())
    if q.strip() or sort == "name":
        query = query.join(Task.person)
    if q.strip():
        query = query.where(matching_people(q))
    if sort == "name":
        # A to Z ignoring case (the database lowers both sides), then oldest task first.
        return keyset_page(
            query,
            [func.lower(Person.full_name), Task.id],
            lambda t: (_name_cursor(t.person.full_name), t.id),
            [_name_from_cursor, int],
            after,
            before,
            descending=False,
            bound_of=lambda values: (func.lower(values[0]), values[1]),
        )
    if sort == "due":
        return keyset_page(
            query,
            [Task.due_date, Task.id],
            lambda t: (t.due_date, t.id),
            [date.fromisoformat, int],
            after,
            before,
            descending=False,
        )
    # "open" sorts after "completed", so descending order puts open tasks first.
    return keyset_page(
        query, [Task.status, Task.id], lambda t: (t.status, t.id), [str, int], after, before
    )
