"""New Starter tasks: My Tasks, the task page, Employment Details, complete and reopen."""

import re
from datetime import date
from html import unescape

from sqlalchemy import insert, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.models import Employment
from lever_cezanne.models.base import utcnow
from lever_cezanne.processes import task_services


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


def _task_names(html: str) -> list[str]:
    return re.findall(r'<a href="/tasks/\d+(?:\?from=all)?">([^<]+)</a>', html)


def test_my_tasks_shows_only_mine_open_first(
    client, db, hr_user, make_user, login_as, make_person, make_task
):
    other = make_user("hr", username="hr.other")
    done = make_task(make_person("Done", "Earlier"), hr_user, status="completed")
    make_task(make_person("Open", "First"), hr_user)
    make_task(make_person("Not", "Mine"), other)
    make_task(make_person("Open", "Second"), hr_user)
    login_as(hr_user)

    html = _text(client.get("/tasks/mine"))

    assert _task_names(html) == ["Open Second", "Open First", "Done Earlier"]
    assert _task_names(_text(client.get("/tasks/mine?status=completed"))) == ["Done Earlier"]
    assert _task_names(_text(client.get("/tasks/mine?status=open&q=open s"))) == ["Open Second"]
    assert "None of your tasks match" in _text(client.get("/tasks/mine?q=zzz"))
    assert done.id


def test_my_tasks_empty_state(client, hr_user, login_as):
    login_as(hr_user)
    assert "You have no New Starter tasks" in _text(client.get("/tasks/mine"))


def test_task_pages_walk_across_the_open_and_completed_boundary(
    client, hr_user, login_as, make_person, make_task
):
    for n in range(30):
        make_task(make_person("Closed", f"{n:02}"), hr_user, status="completed")
    for n in range(30):
        make_task(make_person("Active", f"{n:02}"), hr_user)
    login_as(hr_user)

    first = _text(client.get("/tasks/mine"))
    link = re.search(r'href="(/tasks/mine\?after=[^"]+)"', first).group(1)
    second = _text(client.get(link))

    names = _task_names(first) + _task_names(second)
    assert names[:30] == [f"Active {n:02}" for n in range(29, -1, -1)]
    assert names[30:] == [f"Closed {n:02}" for n in range(29, -1, -1)]
    assert "Next page" not in second


def test_task_page_shows_person_and_employment(
    client, hr_user, login_as, make_person, make_task, make_company, make_employment, tick_all
):
    person = make_person(email="grace@example.com")
    make_employment(person, make_company("CEZ-UK", "Cezanne UK Ltd"), hire_date=date(2026, 3, 2))
    task = make_task(person, hr_user)
    tick_all(task, hr_user)
    login_as(hr_user)

    html = _text(client.get(f"/tasks/{task.id}"))

    assert "Grace Hopper" in html and "grace@example.com" in html
    assert "CEZ-UK — Cezanne UK Ltd" in html and "02 Mar 2026" in html and "Open Ended" in html
    assert 'data-picker-url="/search/companies"' in html
    assert "Mark as completed" in html


def test_missing_employment_form_defaults_to_today_and_person_code(
    app, client, hr_user, login_as, make_person, make_task
):
    person = make_person(code="LEV-42")
    task = make_task(person, hr_user)
    login_as(hr_user)

    html = _text(client.get(f"/tasks/{task.id}"))

    assert "This person has no Employment Details yet" in html
    assert 'name="employment_id" type="text" value="LEV-42"' in html
    assert re.search(r'name="hire_date" required type="date" value="\d{4}-\d{2}-\d{2}"', html)


def test_assignee_adds_employment_with_the_typed_code(
    db, client, hr_user, login_as, make_person, make_task, make_company
):
    company = make_company("CEZ-IE", "Cezanne Ireland")
    person = make_person(code="LEV-7")
    task = make_task(person, hr_user)
    login_as(hr_user)

    response = client.post(
        f"/tasks/{task.id}/employment",
        data={"company": "cez-ie", "hire_date": "2026-04-01", "employment_id": ""},
    )

    assert "Employment Details added in CEZ-IE — Cezanne Ireland" in _flash(client, response)
    employment = db.session.scalar(select(Employment).where(Employment.person_id == person.id))
    assert employment.company_id == company.id
    assert employment.hire_date == date(2026, 4, 1)
    assert employment.employment_id == "LEV-7"
    assert employment.termination_date is None


def test_inactive_or_unknown_company_is_refused_with_a_clear_message(
    db, client, hr_user, login_as, make_person, make_task, make_company
):
    make_company("CEZ-OLD", "Legacy", active=False)
    task = make_task(make_person(), hr_user)
    login_as(hr_user)

    inactive = client.post(
        f"/tasks/{task.id}/employment", data={"company": "CEZ-OLD", "hire_date": "2026-04-01"}
    )
    unknown = client.post(
        f"/tasks/{task.id}/employment", data={"company": "XYZ", "hire_date": "2026-04-01"}
    )
    bad_date = client.post(
        f"/tasks/{task.id}/employment", data={"company": "", "hire_date": "01/04/2026"}
    )

    assert inactive.status_code == 422
    assert "The company 'CEZ-OLD' is inactive" in _text(inactive)
    assert (
        "No active company has the code 'XYZ'. Type the code or name and choose from the list."
        in _text(unknown)
    )
    assert "Enter the company code or name." in _text(bad_date)
    assert "Enter a date, e.g. 2024-09-02." in _text(bad_date)
    assert db.session.scalar(select(Employment.id)) is None


def test_assignee_changes_the_company(
    db, client, hr_user, login_as, make_person, make_task, make_company, make_employment
):
    person = make_person()
    employment = make_employment(person, make_company("CEZ-UK", "Cezanne UK Ltd"))
    make_company("CEZ-IE", "Cezanne Ireland")
    task = make_task(person, hr_user)
    login_as(hr_user)

    response = client.post(f"/tasks/{task.id}/company", data={"company": "CEZ-IE"})

    assert "The company is now CEZ-IE — Cezanne Ireland" in _flash(client, response)
    db.session.refresh(employment)
    assert employment.company.code == "CEZ-IE"


def test_administrator_may_act_on_anyones_task(
    db, client, admin, hr_user, login_as, make_person, make_task, make_company, tick_all
):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    task = make_task(make_person(), hr_user)
    tick_all(task, hr_user)
    login_as(admin)

    client.post(
        f"/tasks/{task.id}/employment", data={"company": "CEZ-UK", "hire_date": "2026-04-01"}
    )
    response = client.post(f"/tasks/{task.id}/complete")

    assert "is completed" in _flash(client, response)
    db.session.refresh(task)
    assert task.status == "completed" and task.completed_by_id == admin.id
    assert task.person.current_employment.company.code == "CEZ-UK"


def test_other_hr_professionals_can_read_but_not_act(
    db, client, hr_user, make_user, login_as, make_person, make_task, make_company
):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    task = make_task(make_person(), hr_user)
    login_as(make_user("hr", username="hr.someone"))

    page = _text(client.get(f"/tasks/{task.id}"))
    assert "Only Alex Morgan (the assignee) or an Administrator can change this task." in page
    assert "Mark as completed" not in page and "Add Employment Details</button>" not in page
    for action in ("complete", "reopen", "company", "employment"):
        response = client.post(
            f"/tasks/{task.id}/{action}", data={"company": "CEZ-UK", "hire_date": "2026-04-01"}
        )
        assert response.status_code == 403, action
    db.session.refresh(task)
    assert task.is_open and task.person.current_employment is None


def test_complete_then_reopen(
    db, client, hr_user, login_as, make_person, make_task, company, make_employment, tick_all
):
    person = make_person()
    make_employment(person, company)
    task = make_task(person, hr_user)
    tick_all(task, hr_user)
    login_as(hr_user)

    completed = _flash(client, client.post(f"/tasks/{task.id}/complete"))
    assert "The New Starter task for Grace Hopper is completed." in completed
    assert "Reopen task" in completed and "Reopen the task to change" in completed
    reopened = _flash(client, client.post(f"/tasks/{task.id}/reopen"))
    assert "is open again" in reopened

    db.session.refresh(task)
    assert task.is_open and task.completed_at is None and task.completed_by_id is None


def test_completed_task_refuses_employment_changes(
    db, client, hr_user, login_as, make_person, make_task, make_company
):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    task = make_task(make_person(), hr_user, status="completed")
    login_as(hr_user)

    response = client.post(
        f"/tasks/{task.id}/employment", data={"company": "CEZ-UK", "hire_date": "2026-04-01"}
    )

    assert "This task is completed, so you cannot add Employment Details" in _flash(
        client, response
    )
    assert "This task is already completed." in _flash(
        client, client.post(f"/tasks/{task.id}/complete")
    )


def test_reopen_respects_one_open_task_per_person(
    db, client, hr_user, login_as, make_person, make_task
):
    person = make_person()
    old = make_task(person, hr_user, status="completed")
    make_task(person, hr_user)
    login_as(hr_user)

    page = _flash(client, client.post(f"/tasks/{old.id}/reopen"))

    assert "Grace Hopper already has an open New Starter task." in page
    assert "complete that one first" in page
    db.session.refresh(old)
    assert old.status == "completed"


def test_concurrent_duplicates_are_refused_by_the_database(
    app, db, hr_user, make_person, make_task, make_company
):
    person = make_person()
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    task = make_task(person, hr_user)
    assert task.person.current_employment is None  # loaded: the page saw no employment
    # Meanwhile the integration's job saves Employment Details for the same person.
    db.session.execute(
        insert(Employment).values(
            person_id=person.id,
            company_id=company.id,
            employment_id="X",
            hire_date=date(2026, 1, 1),
            created_at=utcnow(),
        )
    )

    try:
        task_services.add_employment(task, company, date(2026, 4, 1), "")
    except ValidationError as exc:
        assert "added for this person a moment ago" in str(exc)
    else:
        raise AssertionError("the duplicate open employment was saved")
    db.session.commit()  # the session is still usable after the refused savepoint
    assert len(db.session.scalars(select(Employment)).all()) == 1


def test_administrator_sees_all_tasks_with_filters(
    client, admin, hr_user, make_user, login_as, make_person, make_task
):
    priya = make_user("hr", username="pshah", display_name="Priya Shah")
    make_task(make_person("Alex", "Hire"), hr_user)
    make_task(make_person("Priya", "Hire"), priya)
    make_task(make_person("Priya", "Done"), priya, status="completed")
    login_as(admin)

    everything = _text(client.get("/admin/tasks"))
    by_assignee = _text(client.get("/admin/tasks?assignee=PSHAH"))
    open_for_priya = _text(client.get("/admin/tasks?assignee=pshah&status=open"))
    unknown = _text(client.get("/admin/tasks?assignee=nobody"))

    assert _task_names(everything) == ["Priya Hire", "Alex Hire", "Priya Done"]
    assert _task_names(by_assignee) == ["Priya Hire", "Priya Done"]
    assert _task_names(open_for_priya) == ["Priya Hire"]
    assert "No user has the username 'nobody'" in unknown and _task_names(unknown) == []
    assert 'data-picker-url="/admin/search/users"' in everything


def test_all_tasks_filter_finds_deactivated_assignees(
    db, client, admin, make_user, login_as, make_person, make_task
):
    gone = make_user("hr", username="left.company")
    make_task(make_person("Orphan", "Task"), gone)
    gone.active = False
    db.session.commit()
    login_as(admin)

    html = _text(client.get("/admin/tasks?assignee=left.company"))

    assert _task_names(html) == ["Orphan Task"] and "Deactivated" in html


def test_back_link_returns_administrators_to_where_they_came_from(
    client, admin, hr_user, login_as, make_person, make_task
):
    theirs = make_task(make_person("Alex", "Hire"), hr_user)
    mine = make_task(make_person("Dana", "Hire"), admin)
    login_as(admin)

    listed = _text(client.get("/admin/tasks"))
    assert f'href="/tasks/{mine.id}?from=all"' in listed
    from_all = _text(client.get(f"/tasks/{mine.id}?from=all"))
    from_mine = _text(client.get(f"/tasks/{mine.id}"))
    not_mine = _text(client.get(f"/tasks/{theirs.id}"))

    assert '<a href="/admin/tasks">← All tasks</a>' in from_all
    assert "My Tasks</a></p>" in from_mine and "All tasks</a></p>" not in from_mine
    assert "All tasks</a></p>" in not_mine


def test_a_refused_employment_form_has_an_error_summary_linking_to_the_field(
    client, hr_user, login_as, make_person, make_task
):
    task = make_task(make_person(), hr_user)
    login_as(hr_user)

    html = _text(
        client.post(f"/tasks/{task.id}/employment", data={"company": "XYZ", "hire_date": ""})
    )
    summary = html.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert '<a href="#company">No active company has the code' in summary
