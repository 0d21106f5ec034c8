"""Completing a New Starter task: refused while not ready, an Administrator's override recorded."""

from html import unescape

import pytest


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


@pytest.fixture
def task(hr_user, make_person, make_task):
    return make_task(make_person(), hr_user)


def test_task_without_employment_says_why_and_links_to_the_fix(client, hr_user, login_as, task):
    login_as(hr_user)
    page = _text(client.get(f"/tasks/{task.id}"))

    assert "Not ready to complete" in page
    assert "Grace Hopper has no open Employment Details." in page
    assert f'href="/tasks/{task.id}#employment">Add the Employment Details' in page
    assert "Mark as completed" not in page
    assert "Complete anyway" not in page  # only Administrators may override


def test_completing_without_employment_is_refused(db, client, hr_user, login_as, task):
    login_as(hr_user)
    page = _follow(client, client.post(f"/tasks/{task.id}/complete"))
    assert "The task cannot be completed yet: Grace Hopper has no open Employment Details." in page
    db.session.refresh(task)
    assert task.is_open


def test_employment_and_ticked_steps_make_the_task_ready(
    db, client, hr_user, login_as, task, company, make_employment, tick_all
):
    make_employment(task.person, company)
    tick_all(task, hr_user)
    login_as(hr_user)
    assert "Not ready to complete" not in _text(client.get(f"/tasks/{task.id}"))
    page = _follow(client, client.post(f"/tasks/{task.id}/complete"))
    assert "is completed." in page
    db.session.refresh(task)
    assert not task.is_open and task.completed_anyway_reason is None


def test_administrator_completes_anyway_with_a_recorded_reason(db, client, admin, login_as, task):
    login_as(admin)
    reason = "Employment is held in the payroll system for contractors."
    page = _follow(
        client, client.post(f"/tasks/{task.id}/complete-anyway", data={"reason": reason})
    )

    assert "is completed anyway." in page
    assert "Completed anyway" in page and reason in page
    db.session.refresh(task)
    assert not task.is_open and task.completed_by_id == admin.id
    assert task.completed_anyway_reason == reason
    reopened = _follow(client, client.post(f"/tasks/{task.id}/reopen"))
    assert "Completed anyway" not in reopened.split("Not ready to complete")[0]


def test_complete_anyway_needs_a_reason(db, client, admin, login_as, task):
    login_as(admin)
    page = _text(client.post(f"/tasks/{task.id}/complete-anyway", data={"reason": "  "}), 422)
    assert "Enter the reason for completing the task anyway." in page
    page = _text(client.post(f"/tasks/{task.id}/complete-anyway", data={"reason": "ok"}), 422)
    assert "Write between 10 and 2,000 characters." in page
    db.session.refresh(task)
    assert task.is_open


def test_hr_professionals_cannot_complete_anyway(db, client, hr_user, login_as, task):
    login_as(hr_user)
    response = client.post(
        f"/tasks/{task.id}/complete-anyway", data={"reason": "I am the assignee, honestly."}
    )
    assert response.status_code == 403
    db.session.refresh(task)
    assert task.is_open
