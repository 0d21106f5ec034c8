"""Reassigning a task, notifications, due dates, overdue tasks, filters and sorting."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from lever_cezanne.models import Notification, PersonChange


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


def _task_names(html: str) -> list[str]:
    return re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', html)


@pytest.fixture
def task(hr_user, make_person, make_task):
    return make_task(make_person(), hr_user)


def test_reassign_records_it_and_notifies_the_new_owner(
    db, client, hr_user, make_user, login_as, task
):
    sam = make_user("hr", username="sam", display_name="Sam Carter")
    login_as(hr_user)
    assert "Sam Carter" in _text(client.get(f"/tasks/{task.id}"))

    page = _follow(client, client.post(f"/tasks/{task.id}/reassign", data={"assignee": sam.id}))

    assert "The task is now assigned to Sam Carter." in page
    db.session.refresh(task)
    assert task.assignee_id == sam.id
    change = db.session.scalar(select(PersonChange))
    assert (change.field, change.old_value, change.new_value) == (
        "New Starter task: Assigned to",
        "Alex Morgan",
        "Sam Carter",
    )
    assert (
        client.post(f"/tasks/{task.id}/reassign", data={"assignee": hr_user.id}).status_code == 403
    )

    client.post("/auth/logout")
    login_as(sam)
    home = _text(client.get("/tasks/mine"))
    assert re.search(r"Notifications</a> <span[^>]*>1<", home)
    notes = _text(client.get("/notifications"))
    assert "Alex Morgan assigned you the New Starter task for Grace Hopper." in notes
    assert f'href="/tasks/{task.id}"' in notes
    read = _follow(client, client.post("/notifications/read"))
    assert "All notifications are marked read." in read
    assert not re.search(r"Notifications</a> <span", read)


def test_reassign_only_to_an_active_hr_professional(db, client, hr_user, make_user, login_as, task):
    gone = make_user("hr", username="gone", active=False)
    login_as(hr_user)
    page = _follow(client, client.post(f"/tasks/{task.id}/reassign", data={"assignee": gone.id}))
    assert "Choose an active HR Professional from the list." in page
    db.session.refresh(task)
    assert task.assignee_id == hr_user.id
    assert db.session.scalar(select(Notification)) is None


def test_due_date_is_edited_and_recorded(db, client, hr_user, login_as, task):
    login_as(hr_user)
    page = _follow(
        client, client.post(f"/tasks/{task.id}/due-date", data={"due_date": "2026-04-15"})
    )
    assert "The due date is saved." in page and "15 Apr 2026" in page
    db.session.refresh(task)
    assert task.due_date == date(2026, 4, 15)
    change = db.session.scalar(select(PersonChange))
    assert (change.old_value, change.new_value) == ("02 Mar 2026", "15 Apr 2026")

    refused = client.post(f"/tasks/{task.id}/due-date", data={"due_date": "15/04"})
    assert refused.headers["Location"].endswith("#due_date")  # back at the field
    page = _follow(client, refused)
    assert "Enter a date, e.g. 2024-09-02." in page
    db.session.refresh(task)
    assert task.due_date == date(2026, 4, 15)


def test_overdue_team_filters_and_sort_by_due_date(
    db, client, hr_user, make_user, login_as, make_person, make_task
):
    today = date.today()
    other = make_user("hr", username="hr.other")
    make_task(make_person("Late", "Mine"), hr_user, due_date=today - timedelta(days=3))
    make_task(make_person("Later", "Mine"), hr_user, due_date=today + timedelta(days=30))
    make_task(make_person("Soon", "Mine"), hr_user, due_date=today + timedelta(days=2))
    make_task(make_person("Late", "Theirs"), other, due_date=today - timedelta(days=9))
    make_task(make_person("Done", "Late"), hr_user, "completed", today - timedelta(days=20))
    login_as(hr_user)

    overdue = _text(client.get("/tasks/mine?status=overdue"))
    assert _task_names(overdue) == ["Late Mine"]
    assert "Overdue" in overdue.split("Late Mine")[1].split("</tr>")[0]
    team = _text(client.get("/tasks/mine?scope=team&status=overdue&sort=due"))
    assert _task_names(team) == ["Late Theirs", "Late Mine"]
    by_due = _text(client.get("/tasks/mine?status=open&sort=due"))
    assert _task_names(by_due) == ["Late Mine", "Soon Mine", "Later Mine"]
    assert 'aria-sort="ascending"' in by_due
    assert _task_names(_text(client.get("/tasks/mine?status=completed"))) == ["Done Late"]


def test_sorting_by_due_date_pages_forwards_and_back(
    client, hr_user, login_as, make_person, make_task
):
    start = date(2026, 1, 1)
    for n in range(55):
        make_task(make_person("Due", f"{n:02}"), hr_user, due_date=start + timedelta(days=n // 2))
    login_as(hr_user)

    first = _text(client.get("/tasks/mine?sort=due"))
    link = re.search(r'href="(/tasks/mine\?[^"]*after=[^"]+)"', first).group(1)
    second = _text(client.get(unescape(link)))
    assert _task_names(first) + _task_names(second) == [f"Due {n:02}" for n in range(55)]
    back = re.search(r'href="(/tasks/mine\?[^"]*before=[^"]+)"', second).group(1)
    assert _task_names(_text(client.get(unescape(back)))) == _task_names(first)
    assert _task_names(_text(client.get("/tasks/mine?sort=due&after=nonsense.1"))) == (
        _task_names(first)
    )


def test_sort_by_name_a_to_z_ignoring_case_beside_the_other_sorts(
    client, admin, hr_user, make_user, login_as, make_person, make_task
):
    other = make_user("hr", username="hr.other")
    for first, surname in [("zed", "Zane"), ("Adam", "Smith"), ("J. R.", "Tolkien"),
                           ("bea", "Lowe"), ("Carl", "marx")]:  # fmt: skip
        make_task(make_person(first, surname), hr_user)
    make_task(make_person("Abe", "Other"), other)
    login_as(hr_user)

    page = _text(client.get("/tasks/mine?sort=name"))
    assert _task_names(page) == ["Adam Smith", "bea Lowe", "Carl marx", "J. R. Tolkien", "zed Zane"]
    # Chosen from the Sort by list or the New Starter heading, which says it sorts the list.
    assert '<option selected value="name">Name, A to Z</option>' in page
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="[^"]*sort=name', page)
    mine = _text(client.get("/tasks/mine"))
    assert re.search(r'<th scope="col"><a href="/tasks/mine\?sort=name">New Starter</a>', mine)
    # With the other filters, and on All tasks.
    team = _text(client.get("/tasks/mine?scope=team&sort=name&q=a"))
    assert _task_names(team) == ["Abe Other", "Adam Smith"]
    client.post("/auth/logout")
    login_as(admin)
    everyone = _text(client.get("/admin/tasks?sort=name"))
    assert re.findall(r'<a href="/tasks/\d+\?from=all">([^<]+)</a>', everyone)[:2] == [
        "Abe Other",
        "Adam Smith",
    ]


def test_sorting_by_name_pages_forwards_and_back_through_odd_names(
    client, hr_user, login_as, make_person, make_task
):
    # Dots, spaces and the same name twice: the cursor must carry any name, and ties the task.
    names = [(f"N.{n // 2:02}", "O'Brien de la Cruz") for n in range(55)]
    for first, surname in reversed(names):
        make_task(make_person(first, surname), hr_user)
    login_as(hr_user)

    first = _text(client.get("/tasks/mine?sort=name"))
    link = re.search(r'href="(/tasks/mine\?[^"]*after=[^"]+)"', first).group(1)
    second = _text(client.get(unescape(link)))
    assert _task_names(first) + _task_names(second) == [f"{a} {b}" for a, b in names]
    assert len(_task_names(first)) == 50
    back = re.search(r'href="(/tasks/mine\?[^"]*before=[^"]+)"', second).group(1)
    assert _task_names(_text(client.get(unescape(back)))) == _task_names(first)
    for tampered in ("nonsense.1", "%%%.1", "bm9u.99999999999999999999", "4pyT.x"):
        assert _task_names(_text(client.get(f"/tasks/mine?sort=name&after={tampered}"))) == (
            _task_names(first)
        )
