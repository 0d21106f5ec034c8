"""The New Starter rules: what is created, what is found, and what the Log tab says."""

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from lever_cezanne.models import Employment, Gender, LogEntry, Person, Task
from lever_cezanne.models.base import utcnow
from lever_cezanne.onboarding import steps
from lever_cezanne.onboarding.rules import start_new_starter


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _log(db):
    return db.session.scalars(select(LogEntry).order_by(LogEntry.id)).all()


def test_success_creates_person_employment_and_task(
    db, integration, make_delivery, starter, process, company, new_hire_admin
):
    delivery = make_delivery()
    outcome = start_new_starter(integration, delivery, starter())
    person = db.session.scalar(select(Person))
    assert outcome.errors == 0 and outcome.person_id == person.id
    assert person.full_name == "Cosima Niehaus" and person.gender.code == "U"
    [employment] = person.employments
    assert employment.company_id == company.id
    assert employment.employment_id == person.person_code == "contact-1"
    assert employment.hire_date == date(2024, 7, 1) and employment.termination_date is None
    task = db.session.scalar(select(Task))
    assert (task.person_id, task.assignee_id, task.definition_id) == (
        person.id,
        new_hire_admin.id,
        process.id,
    )
    assert task.delivery_id == delivery.id and task.status == "open"
    assert task.due_date == date(2024, 7, 1)  # due on the Hire Date
    [entry] = _log(db)
    assert entry.level == "information"
    assert entry.message == (
        "New Starter Process started for Cosima Niehaus (Person Code contact-1); "
        "task assigned to Nina New-Hire"
    )
    assert (entry.person_id, entry.delivery_id, entry.opportunity_id) == (
        person.id,
        delivery.id,
        "opp-1",
    )


def test_no_active_process_creates_nothing(db, integration, make_delivery, starter, make_process):
    make_process(active=False)
    outcome = start_new_starter(integration, make_delivery(), starter())
    assert outcome.errors == 1 and outcome.person_id is None
    assert _count(db, Person) == _count(db, Employment) == _count(db, Task) == 0
    [entry] = _log(db)
    assert entry.level == "error"
    assert entry.message.endswith(
        "activate 'Enter a New Starter' under Processes, then press Retry now on this row."
    )
    assert entry.cause == "process"


def test_without_absences_process_is_used_when_no_with_absences_is_active(
    db, integration, make_delivery, starter, make_process
):
    without = make_process(name="Without", type_="without_absences")
    start_new_starter(integration, make_delivery(), starter())
    assert db.session.scalar(select(Task)).definition_id == without.id


def test_person_found_by_person_code_is_reused(db, integration, make_delivery, starter, process):
    start_new_starter(integration, make_delivery(), starter())
    db.session.scalar(select(Task)).status = "completed"
    db.session.commit()
    start_new_starter(integration, make_delivery(), starter(email="new@example.com"))
    assert _count(db, Person) == 1
    assert _count(db, Task) == 2  # the earlier task was completed, so a new one is started


def test_person_found_by_email_is_linked_and_the_log_says_so(
    db, integration, make_delivery, starter, process
):
    existing = Person(
        person_code="EMP001",
        first_name="Cosima",
        surname="Niehaus",
        known_as="Cos",
        full_name="Cosima Niehaus",
        legal_name="Cosima Niehaus",
        gender_id=1,
        date_of_birth=date(1990, 1, 1),
        external_email="Cosima@Example.COM",
    )
    db.session.add(existing)
    db.session.commit()
    start_new_starter(integration, make_delivery(), starter(email="cosima@example.com"))
    assert _count(db, Person) == 1
    assert existing.lever_contact_id == "contact-1"
    assert existing.known_as == "Cos"  # HR's edits are kept
    linked = [e for e in _log(db) if "linked" in e.message]
    assert linked and "EMP001" in linked[0].message and linked[0].person_id == existing.id
    # Every row names the person's Person Code, never the second Lever contact's id.
    assert all("contact-1" not in e.message for e in _log(db))
    started = [e for e in _log(db) if e.message.startswith("New Starter Process started")]
    assert started and "(Person Code EMP001)" in started[0].message
    # A later re-trigger finds the same person through the link.
    start_new_starter(integration, make_delivery(), starter(email="other@example.com"))
    assert _count(db, Person) == 1


@pytest.mark.parametrize("state", ["inactive", "deleted", "missing"])
def test_unusable_company_skips_employment_and_names_the_fixes(
    db, integration, make_delivery, starter, process, company, state
):
    if state == "inactive":
        company.active = False
    elif state == "deleted":
        company.deleted_at = utcnow()
    else:
        integration.default_company_id = None
    db.session.commit()
    outcome = start_new_starter(integration, make_delivery(), starter())
    assert outcome.errors == 1 and outcome.person_id is not None
    assert _count(db, Employment) == 0
    assert _count(db, Task) == 1  # the rest goes on
    [error] = [e for e in _log(db) if e.level == "error"]
    assert "add the Employment Details in the New Starter task" in error.message.replace(
        "Add", "add"
    )
    assert "change the Default Company under Integrations › Lever" in error.message
    if state != "missing":
        assert "ACME (Acme Ltd)" in error.message and state in error.message


@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_unusable_administrator_gets_no_task_and_an_error(
    db, integration, make_delivery, starter, process, new_hire_admin, state
):
    if state == "inactive":
        new_hire_admin.active = False
    else:
        new_hire_admin.deleted_at = utcnow()
    db.session.commit()
    outcome = start_new_starter(integration, make_delivery(), starter())
    assert outcome.errors == 1
    assert _count(db, Person) == _count(db, Employment) == 1
    assert _count(db, Task) == 0
    [error] = [e for e in _log(db) if e.level == "error"]
    assert "Nina New-Hire" in error.message
    assert "Choose an active New Hire Administrator under Integrations › Lever" in error.message
    assert "then press Retry now on this row" in error.message and error.cause == "administrator"
    assert not [e for e in _log(db) if "New Starter Process started" in e.message]


def test_retrigger_creates_nothing_new_and_says_what_it_found(
    db, integration, make_delivery, starter, process
):
    start_new_starter(integration, make_delivery(), starter())
    outcome = start_new_starter(integration, make_delivery(), starter())
    assert outcome.errors == 0
    assert _count(db, Person) == _count(db, Employment) == _count(db, Task) == 1
    last = _log(db)[-1]
    assert last.level == "information"
    assert "nothing new was needed" in last.message
    assert "the person" in last.message and "open Employment Details" in last.message
    assert "open New Starter task" in last.message


def test_rehire_after_the_employment_ended_gets_a_new_employment(
    db, integration, make_delivery, starter, process
):
    start_new_starter(integration, make_delivery(), starter())
    employment = db.session.scalar(select(Employment))
    employment.termination_date = date(2024, 12, 31)
    db.session.scalar(select(Task)).status = "completed"
    db.session.commit()
    start_new_starter(integration, make_delivery(), starter(today=date(2025, 6, 2)))
    employments = db.session.scalars(select(Employment).order_by(Employment.id)).all()
    assert len(employments) == 2
    assert employments[1].termination_date is None
    assert employments[1].hire_date == date(2025, 6, 2)


def _crash(*args, **kwargs):
    raise RuntimeError("worker killed")


def test_a_crash_mid_job_leaves_nothing_of_a_new_person_and_the_retry_creates_it_all(
    db, integration, make_delivery, starter, process, monkeypatch
):
    """A new person, their Employment Details and task are one transaction: all or nothing."""
    real = steps.ensure_task
    monkeypatch.setattr(steps, "ensure_task", _crash)
    delivery = make_delivery()
    with pytest.raises(RuntimeError):
        start_new_starter(integration, delivery, starter())
    db.session.rollback()  # what the job does with a run that raised
    assert _count(db, Person) == _count(db, Employment) == _count(db, Task) == 0
    monkeypatch.setattr(steps, "ensure_task", real)
    outcome = start_new_starter(integration, delivery, starter())
    assert outcome.errors == 0
    assert _count(db, Person) == _count(db, Employment) == _count(db, Task) == 1
    assert [e.message.split(" for ")[0] for e in _log(db)] == ["New Starter Process started"]


def test_retry_after_a_crash_mid_job_completes_what_is_missing(
    db, integration, make_delivery, starter, process, monkeypatch, make_person
):
    """A person found in Cezanne HR keeps a commit per step: the retry adds what is missing."""
    make_person(code=starter().person_code)
    real = steps.ensure_task
    monkeypatch.setattr(steps, "ensure_task", _crash)
    delivery = make_delivery()
    with pytest.raises(RuntimeError):
        start_new_starter(integration, delivery, starter())
    db.session.rollback()
    assert _count(db, Person) == _count(db, Employment) == 1 and _count(db, Task) == 0
    monkeypatch.setattr(steps, "ensure_task", real)
    outcome = start_new_starter(integration, delivery, starter())
    assert outcome.errors == 0
    assert _count(db, Person) == _count(db, Employment) == _count(db, Task) == 1
    assert "New Starter Process started" in _log(db)[-1].message


def test_concurrent_twin_losing_the_race_reads_the_winner(
    db, integration, make_delivery, starter, process, monkeypatch
):
    start_new_starter(integration, make_delivery(), starter())
    real, calls = steps.open_employment, []

    def missed_once(person_id):
        # The first lookup misses the row a concurrent worker has just committed.
        calls.append(person_id)
        return None if len(calls) == 1 else real(person_id)

    monkeypatch.setattr(steps, "open_employment", missed_once)
    person = db.session.scalar(select(Person))
    _, how = steps.ensure_employment(person, integration.default_company, date(2024, 7, 1))
    assert how == steps.FOUND and len(calls) == 2
    assert _count(db, Employment) == 1  # the unique index refused the duplicate


def test_mapping_warnings_are_logged_for_a_new_person(
    db, integration, make_delivery, starter, process
):
    start_new_starter(integration, make_delivery(), starter(name="Madonna"))
    warnings = [e for e in _log(db) if e.level == "warning"]
    assert warnings and "one word" in warnings[0].message


def test_a_person_code_match_wins_over_an_older_person_with_the_same_email(db, make_person):
    """find_person asks once: the candidate's own person first, then the e-mail's oldest."""
    older = make_person(code="EMP001", email="cosima@example.com")
    linked = make_person(code="EMP002", email="other@example.com", lever_contact_id="contact-9")
    own = make_person(code="contact-1", email="cosima@example.com")
    assert steps.find_person("contact-1", "Cosima@Example.com") == (own, steps.FOUND)
    assert steps.find_person("contact-9", "cosima@example.com") == (linked, steps.FOUND)
    assert steps.find_person("contact-2", "COSIMA@example.com") == (older, steps.LINKED)
    assert steps.find_person("contact-2", None) == (None, steps.CREATED)
    assert steps.find_person("contact-2", "nobody@example.com") == (None, steps.CREATED)


def test_a_missing_not_known_gender_is_named(db, integration, make_delivery, starter, process):
    db.session.execute(delete(Gender).where(Gender.code == "U"))
    db.session.commit()
    with pytest.raises(LookupError, match="no item with code U"):
        start_new_starter(integration, make_delivery(), starter())
