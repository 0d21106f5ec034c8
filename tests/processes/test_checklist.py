"""A New Starter task's checklist: default steps, ticks, automatic checks and the guard."""

from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from lever_cezanne.models import Gender, ProcessStep, TaskStepTick

DEFAULTS = [
    ("Confirm personal details", True, None),
    ("Replace the placeholder Date of Birth", True, "date_of_birth"),
    ("Confirm Gender", True, "gender"),
    ("Confirm Employment Details", True, "employment"),
    ("Confirm Job and Salary", True, "job_salary"),
    ("Upload right-to-work documents", False, None),
]


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


@pytest.fixture
def task(hr_user, make_person, make_task, company, make_employment):
    # The integration's placeholder: Date of Birth = the hire day.
    person = make_person(date_of_birth=date(2026, 3, 2))
    make_employment(person, company, hire_date=date(2026, 3, 2))
    return make_task(person, hr_user)


def _step(db, task, name) -> ProcessStep:
    return db.session.scalar(
        select(ProcessStep).where(
            ProcessStep.definition_id == task.definition_id, ProcessStep.name == name
        )
    )


def _section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def test_a_new_process_gets_the_default_steps(db, make_process):
    definition = make_process()
    steps = db.session.scalars(
        select(ProcessStep)
        .where(ProcessStep.definition_id == definition.id)
        .order_by(ProcessStep.position)
    )
    assert [(s.name, s.required, s.check) for s in steps] == DEFAULTS


def test_ticking_records_who_and_when(db, client, hr_user, login_as, task):
    step = _step(db, task, "Confirm personal details")
    login_as(hr_user)

    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{step.id}/tick"))

    assert "Ticked \u201cConfirm personal details\u201d." in page
    line = page.split(f'id="step-{step.id}"')[1].split("</li>")[0]
    assert "Ticked by Alex Morgan on" in line and "Untick" in line
    client.post(f"/tasks/{task.id}/steps/{step.id}/tick")  # a second click changes nothing
    assert db.session.scalar(select(func.count()).select_from(TaskStepTick)) == 1

    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{step.id}/untick"))
    assert "is no longer ticked" in page
    assert db.session.scalar(select(func.count()).select_from(TaskStepTick)) == 0


def test_placeholder_date_of_birth_cannot_be_ticked_falsely(db, client, hr_user, login_as, task):
    step = _step(db, task, "Replace the placeholder Date of Birth")
    login_as(hr_user)

    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{step.id}/tick"))

    assert "is checked automatically from the data, so it cannot be ticked by hand" in page
    assert db.session.scalar(select(func.count()).select_from(TaskStepTick)) == 0
    line = page.split(f'id="step-{step.id}"')[1].split("</li>")[0]
    assert "Enter the real Date of Birth" in line and ">Tick<" not in line

    task.person.date_of_birth = date(1991, 7, 4)
    db.session.commit()
    line = _text(client.get(f"/tasks/{task.id}")).split(f'id="step-{step.id}"')[1]
    assert "Checked automatically from the data." in line.split("</li>")[0]


def test_gender_is_checked_automatically_or_confirmed_by_hand(db, client, hr_user, login_as, task):
    step = _step(db, task, "Confirm Gender")
    login_as(hr_user)
    line = _text(client.get(f"/tasks/{task.id}")).split(f'id="step-{step.id}"')[1]
    assert line.startswith(' class="step-open"') and ">Tick<" in line.split("</li>")[0]

    female = Gender(code="F", description="Female")
    db.session.add(female)
    db.session.flush()
    task.person.gender_id = female.id
    db.session.commit()
    html = _text(client.get(f"/tasks/{task.id}"))
    line = html.split(f'id="step-{step.id}"')[1].split("</li>")[0]
    assert "Checked automatically from the data." in line


def test_a_required_open_step_blocks_completion_and_links_to_it(
    db, client, hr_user, login_as, task, tick_all
):
    task.person.date_of_birth = date(1991, 7, 4)
    db.session.commit()
    login_as(hr_user)
    page = _text(client.get(f"/tasks/{task.id}"))
    blockers = _section(page, "not-ready")
    first = _step(db, task, "Confirm personal details")
    assert "The required step \u201cConfirm personal details\u201d is not done." in blockers
    assert f'href="/tasks/{task.id}#step-{first.id}">Go to the step' in blockers
    assert "right-to-work" not in blockers  # optional

    refused = _follow(client, client.post(f"/tasks/{task.id}/complete"))
    assert "The task cannot be completed yet" in refused
    assert "\u201cConfirm Gender\u201d is not done" in refused

    tick_all(task, hr_user)
    done = _follow(client, client.post(f"/tasks/{task.id}/complete"))
    assert "is completed." in done


def test_placeholder_date_of_birth_blocker_links_to_the_personal_details(
    client, hr_user, login_as, task
):
    login_as(hr_user)
    blockers = _section(_text(client.get(f"/tasks/{task.id}")), "not-ready")
    assert "\u201cReplace the placeholder Date of Birth\u201d is not done." in blockers
    assert f'href="/tasks/{task.id}/person">Edit the personal details' in blockers


def test_an_hr_professional_who_may_not_act_sees_what_blocks_without_links_they_cannot_use(
    client, make_user, login_as, task
):
    login_as(make_user("hr", username="hr.priya", display_name="Priya Shah"))
    page = _text(client.get(f"/tasks/{task.id}"))
    blockers = _section(page, "not-ready")
    assert "\u201cReplace the placeholder Date of Birth\u201d is not done." in blockers
    assert "href=" not in blockers  # the fixes are the assignee's: each would be Not allowed
    assert client.get(f"/tasks/{task.id}/person").status_code == 403


def test_steps_of_a_completed_task_or_another_process_cannot_change(
    db, client, hr_user, login_as, task, make_process
):
    other = make_process(name="Another")
    foreign = db.session.scalar(select(ProcessStep).where(ProcessStep.definition_id == other.id))
    login_as(hr_user)
    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{foreign.id}/tick"))
    assert "That step is not part of this task's process." in page

    task.status = "completed"
    db.session.commit()
    step = _step(db, task, "Confirm personal details")
    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{step.id}/tick"))
    assert "its steps cannot change. Reopen it first." in page
    assert db.session.scalar(select(func.count()).select_from(TaskStepTick)) == 0


def test_job_and_salary_need_confirming_only_when_the_hire_brought_them(
    db, client, hr_user, login_as, task
):
    step = _step(db, task, "Confirm Job and Salary")
    login_as(hr_user)
    line = _text(client.get(f"/tasks/{task.id}")).split(f'id="step-{step.id}"')[1]
    assert "Checked automatically from the data." in line.split("</li>")[0]

    task.person.current_employment.job_title = "Analyst"
    db.session.commit()
    line = _text(client.get(f"/tasks/{task.id}")).split(f'id="step-{step.id}"')[1]
    assert line.startswith(' class="step-open"')
    assert "Check the Job Title and Salary" in line.split("</li>")[0]
    page = _follow(client, client.post(f"/tasks/{task.id}/steps/{step.id}/tick"))
    assert "Ticked \u201cConfirm Job and Salary\u201d." in page


def test_the_assignee_edits_job_and_salary_from_the_task(db, client, hr_user, login_as, task):
    login_as(hr_user)
    employment = task.person.current_employment
    form = _text(client.get(f"/tasks/{task.id}/job"))
    assert "Job Title" in form and f'href="/tasks/{task.id}"' in form

    response = client.post(
        f"/tasks/{task.id}/job",
        data={
            "version": employment.version,
            "job_title": "Data Analyst",
            "department_id": "",
            "location_id": "",
            "line_manager_code": "",
            "salary_amount": "",
            "salary_currency": "",
            "salary_interval": "",
            "salary_effective_date": "",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")
    db.session.refresh(employment)
    assert employment.job_title == "Data Analyst"
    history = _text(client.get(f"/people/{task.person_id}")).split('id="history"')[1]
    assert "Data Analyst" in history and "Alex Morgan" in history
