"""Hires approved under Pending hires get their Documents and the note, from a background job."""

import time

import pytest
from sqlalchemy import func, select

from lever_cezanne.deliveries import after_approval, queue
from lever_cezanne.integration import pause
from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.models import (
    Document,
    LeverIntegration,
    LeverNote,
    LogEntry,
    User,
    WebhookDelivery,
)
from lever_cezanne.models.lever_notes import NoteStatus
from lever_cezanne.models.pending import PendingHire
from lever_cezanne.onboarding.held import load_starter
from lever_cezanne.processes import pending_hires
from tests.pipeline.conftest import FULL_OFFER
from tests.pipeline.helpers import (
    NOTE_START,
    authorise_with,
    lever_documents,
    note_values,
    run_worker,
    settle,
    stored,
)

pytestmark = pytest.mark.committed


def _held_hire(db, integration, add_candidate, send_hire, runner, name, **spec):
    integration.review_hires = True
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate(name, offer=FULL_OFFER, **spec)
    send_hire(opportunity_id)
    if runner is not None:
        assert runner.wait_idle(20)
    return opportunity_id


def _wait_for(db, check, seconds=20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if check():
            return True
        time.sleep(0.1)
    return False


def _documents(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def _document_warnings(db) -> list[str]:
    db.session.expire_all()
    return [
        m
        for m in db.session.scalars(select(LogEntry.message).where(LogEntry.level == "warning"))
        if "Documents" in m
    ]


def test_an_approved_hire_gets_its_documents_and_one_note(
    db,
    integration,
    organisation,
    admin,
    add_candidate,
    send_hire,
    runner,
    lever_server,
    monkeypatch,
):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)
    opportunity_id = _held_hire(
        db, integration, add_candidate, send_hire, runner, "Pia Pending", resume={"busy": [429]}
    )
    held = db.session.scalar(select(PendingHire))
    assert held.status == "pending" and _documents(db) == 0
    assert note_values(lever_server, opportunity_id) == []
    delivery_status = db.session.scalar(select(WebhookDelivery.status))

    pending_hires.approve(held, admin, {})

    # The job runs after the approval: Lever's busy answer to the resume is retried, not a row.
    assert _wait_for(db, lambda: _documents(db) == 2 and note_values(lever_server, opportunity_id))
    expected = lever_documents(lever_server, integration, opportunity_id)
    assert {source: d.content for source, d in stored(db).items()} == expected
    person = db.session.get(PendingHire, held.id).person
    [value] = note_values(lever_server, opportunity_id)
    assert value.startswith(f"{NOTE_START}{person.person_code} on ")
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT
    assert _document_warnings(db) == []
    # The job never writes a delivery's status.
    assert db.session.scalar(select(WebhookDelivery.status)) == delivery_status

    after_approval.run(held.id, True)  # run again (a duplicate job): nothing twice
    assert _documents(db) == 2 and len(note_values(lever_server, opportunity_id)) == 1
    assert lever_server.store.counters["notes_created"] == 1


def test_lever_busy_through_the_approval_jobs_last_attempt_gives_one_warning(
    db,
    integration,
    organisation,
    admin,
    add_candidate,
    send_hire,
    runner,
    lever_server,
    monkeypatch,
):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)
    opportunity_id = _held_hire(
        db,
        integration,
        add_candidate,
        send_hire,
        runner,
        "Bo Busy",
        resume={"name": "cv.pdf", "busy": [500] * 6},
    )
    pending_hires.approve(db.session.scalar(select(PendingHire)), admin, {})
    assert _wait_for(db, lambda: len(_document_warnings(db)) == 1)
    [warning] = _document_warnings(db)
    assert warning.startswith("Resume cv.pdf for Bo Busy (Person Code ")
    assert warning.endswith("Lever is having problems on its side.")
    assert set(stored(db)) == {"offer_letter"}
    # The hire had no errors: the note is still sent, after the Documents.
    assert _wait_for(db, lambda: len(note_values(lever_server, opportunity_id)) == 1)


def test_a_real_rq_worker_runs_the_approval_job(
    app,
    db,
    database_url,
    integration,
    organisation,
    admin,
    add_candidate,
    send_hire,
    lever_server,
    redis_queue,
):
    opportunity_id = _held_hire(db, integration, add_candidate, send_hire, None, "Rae Redis")
    admin_id, integration_id = admin.id, integration.id
    settle(db)
    result = run_worker(app, lever_server, database_url)
    assert result.returncode == 0, result.stderr
    held = db.session.scalar(select(PendingHire))
    assert held is not None and held.status == "pending"

    pending_hires.approve(held, db.session.get(User, admin_id), {})
    assert redis_queue.job_ids == [after_approval.job_id(held.id)]
    settle(db)
    result = run_worker(app, lever_server, database_url)
    assert result.returncode == 0, result.stderr

    integration = db.session.get(LeverIntegration, integration_id)
    expected = lever_documents(lever_server, integration, opportunity_id)
    assert {source: d.content for source, d in stored(db).items()} == expected
    assert len(note_values(lever_server, opportunity_id)) == 1
    assert _document_warnings(db) == []


def _press(client, integration_id: int, button: str) -> str:
    response = client.post(f"/integrations/lever/{integration_id}/{button}")
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _waiting_rows(db) -> list[str]:
    db.session.expire_all()
    return [
        m
        for m in db.session.scalars(select(LogEntry.message).where(LogEntry.level == "information"))
        if "wait for the integration to be resumed" in m
    ]


def test_an_approval_while_paused_calls_lever_only_after_resume(
    db,
    client,
    login_as,
    integration,
    organisation,
    admin,
    add_candidate,
    send_hire,
    runner,
    lever_server,
):
    opportunity_id = _held_hire(db, integration, add_candidate, send_hire, runner, "Pam Paused")
    integration_id = integration.id
    login_as(admin)
    _press(client, integration_id, "pause")
    calls_before = lever_server.store.counters["api_calls"]

    held = db.session.scalar(select(PendingHire))
    starter = load_starter(held.starter_json)
    form = {k: v for k, v in starter.person.items() if isinstance(v, str)}
    approved = client.post(
        f"/hires/pending/{held.id}/approve",
        data={**form, "hire_date": starter.hire_date.isoformat()},
    )
    assert approved.status_code == 302, approved.get_data(as_text=True)
    page = client.get(approved.headers["Location"]).get_data(as_text=True)
    assert "Its Documents and note to Lever wait until the integration is resumed." in page
    assert runner.wait_idle(20)
    # The records are made; Lever is not called while paused, and the Log tab says why.
    held = db.session.get(PendingHire, held.id)
    assert held.status == "approved" and held.waits_for_resume and held.complete
    assert lever_server.store.counters["api_calls"] == calls_before
    assert _documents(db) == 0 and note_values(lever_server, opportunity_id) == []
    [row] = _waiting_rows(db)
    assert row.startswith("The Documents and the note to Lever for Pam Paused (Person Code ")

    page = _press(client, integration_id, "resume")
    assert "Fetching the Documents of 1 hire approved while paused, and sending their notes" in page
    assert runner.wait_idle(20)
    assert _wait_for(db, lambda: _documents(db) == 2)
    assert len(note_values(lever_server, opportunity_id)) == 1
    assert not db.session.get(PendingHire, held.id).waits_for_resume
    assert len(_waiting_rows(db)) == 1 and _document_warnings(db) == []


def test_an_approval_job_run_after_a_pause_waits_for_resume(
    db, integration, organisation, admin, add_candidate, send_hire, runner, lever_server
):
    _held_hire(db, integration, add_candidate, send_hire, runner, "Jo Queued")
    held = db.session.scalar(select(PendingHire))
    pending_hires.approve(held, admin, {})
    assert runner.wait_idle(20)
    documents = _documents(db)
    integration.paused_at, integration.paused_by = held.decided_at, admin
    db.session.commit()
    calls_before = lever_server.store.counters["api_calls"]

    # The job queued before the pause runs now (or RQ retries it now): it waits, once.
    after_approval.run(held.id, False)
    after_approval.run(held.id, False)
    assert lever_server.store.counters["api_calls"] == calls_before
    assert len(_waiting_rows(db)) == 1 and _documents(db) == documents
    held = db.session.get(PendingHire, held.id)
    assert held.waits_for_resume and held.complete is False

    integration = db.session.get(LeverIntegration, held.integration_id)
    released, approved = pause.resume(integration)
    db.session.commit()
    assert released == [] and approved == [(held.id, False)]
    # Resume's start is lost (the queue was down, the server stopped): the mark stays, and the
    # periodic start_waiting starts the job, once; the job going ahead clears the mark.
    assert after_approval.waiting_for_resume() == [(held.id, False)]
    assert after_approval.start_waiting() == 1
    assert runner.wait_idle(20)
    assert lever_server.store.counters["api_calls"] > calls_before
    assert after_approval.waiting_for_resume() == [] and after_approval.start_waiting() == 0
    db.session.expire_all()
    assert not db.session.get(PendingHire, held.id).waits_for_resume
