"""Write-back: "Tell Lever when the hire is in Cezanne HR" adds exactly one note per hire."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.extensions import db as _db
from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.models import LeverNote, LogEntry, Person, WebhookDelivery
from lever_cezanne.models.lever_notes import NoteStatus
from lever_cezanne.onboarding.write_back import STALE_CLAIM, note_text
from tests.pipeline.helpers import (
    NOTE_START,
    THREADS,
    authorise_with,
    needs_postgres,
    note_values,
    notes_in_lever,
    together,
)


def rows(db, level) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        select(LogEntry.message).where(LogEntry.level == level).order_by(LogEntry.id)
    ).all()


@pytest.mark.committed
def test_one_note_per_hire_even_when_lever_sends_it_again(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Nora Note", offer={"status": "signed"})
    for _ in range(3):
        send_hire(opportunity_id)
        assert runner.wait_idle(20)
    person = db.session.scalar(select(Person))
    [value] = note_values(lever_server, opportunity_id)
    assert value.startswith(f"{NOTE_START}{person.person_code} on ")
    [note] = db.session.scalars(select(LeverNote)).all()
    assert note.status == NoteStatus.SENT and note.text == value
    assert note.lever_note_id == notes_in_lever(lever_server, opportunity_id)[0]["id"]
    assert [m for m in rows(db, "information") if m.startswith("Note added in Lever")] == [
        f"Note added in Lever for Nora Note (Person Code {person.person_code}): “{value}”"
    ]
    assert db.session.scalars(select(WebhookDelivery.status)).all() == ["completed"] * 3


def test_the_note_text(app):
    from datetime import date

    assert note_text("P-7", date(2026, 12, 3)) == (
        "Added to Cezanne HR as Person Code P-7 on 3 December 2026."
    )


@pytest.mark.committed
def test_off_by_default_sends_no_note(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    assert integration.write_back_notes is False
    opportunity_id = add_candidate("Otto Off")
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert note_values(lever_server, opportunity_id) == []
    assert db.session.scalars(select(LeverNote)).all() == []


@pytest.mark.committed
def test_twenty_concurrent_deliveries_write_one_note(
    app, db, integration, add_candidate, send_hire, lever_server, monkeypatch
):
    needs_postgres(app)
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    monkeypatch.setattr(queue, "enqueue_delivery", lambda delivery_id, attempt: None)
    opportunity_id = add_candidate("Cora Concurrent")
    for _ in range(THREADS):
        send_hire(opportunity_id)
    ids = db.session.scalars(select(WebhookDelivery.id)).all()
    _db.session.remove()

    def work(i):
        with app.app_context():
            try:
                return process_delivery(ids[i])
            finally:
                _db.session.remove()

    results, errors = together(THREADS, work)
    assert errors == []
    assert results == ["completed"] * THREADS
    assert len(note_values(lever_server, opportunity_id)) == 1
    assert lever_server.store.counters["notes_created"] == 1
    assert [n.status for n in db.session.scalars(select(LeverNote))] == [NoteStatus.SENT]


@pytest.mark.committed
def test_a_missing_scope_is_a_warning_naming_it_and_reauthorising_sends_the_note(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(False))  # authorised before the option
    opportunity_id = add_candidate("Reba Refused")
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    [warning] = rows(db, "warning")
    assert warning.startswith("Lever was not told that Reba Refused")
    assert "not allowed notes:write:admin" in warning
    assert "Re-authorise to allow documents and notes" in warning
    assert "The hire itself is complete." in warning
    assert db.session.scalar(select(WebhookDelivery.status)) == "completed"
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.FAILED
    assert note_values(lever_server, opportunity_id) == []

    authorise_with(db, integration, lever_scopes.needed(True))
    send_hire(opportunity_id)  # Lever sends the hire again
    assert runner.wait_idle(20)
    assert len(note_values(lever_server, opportunity_id)) == 1
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT


def _stopped_sender(db, integration, opportunity_id, person_code):
    """The row a sender leaves when it stops after claiming: 'sending', claimed long ago."""
    from datetime import date

    from lever_cezanne.models.base import utcnow

    note = LeverNote(
        integration_id=integration.id,
        opportunity_id=opportunity_id,
        status=NoteStatus.SENDING,
        text=note_text(person_code, date(2026, 1, 2)),
        claimed_at=utcnow() - STALE_CLAIM - timedelta(seconds=1),
    )
    db.session.add(note)
    db.session.commit()
    return note


@pytest.mark.committed
def test_a_sender_that_stopped_after_posting_is_not_repeated(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Stella Stopped")
    person_code = lever_server.store.candidate(opportunity_id)["contact"]["id"]
    note = _stopped_sender(db, integration, opportunity_id, person_code)
    lever_server.store.candidate(opportunity_id)  # the POST had reached Lever:
    with lever_server.store.mutate() as state:
        from lever_cezanne.sandbox.documents import new_note

        state["candidates"][opportunity_id]["notes"].append(new_note(note.text, None, False, 1))
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert note_values(lever_server, opportunity_id) == [note.text]
    db.session.expire_all()
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT


@pytest.mark.committed
def test_a_sender_that_stopped_before_posting_is_completed_once(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Sid Stopped")
    person_code = lever_server.store.candidate(opportunity_id)["contact"]["id"]
    note = _stopped_sender(db, integration, opportunity_id, person_code)
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert note_values(lever_server, opportunity_id) == [note.text]
    db.session.expire_all()
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT


@pytest.mark.committed
def test_a_fresh_claim_by_another_run_is_left_alone(
    db, integration, add_candidate, send_hire, runner, lever_server
):
    from lever_cezanne.models.base import utcnow

    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Fern Fresh")
    note = _stopped_sender(db, integration, opportunity_id, "X")
    note.claimed_at = utcnow()  # another run is sending it right now
    db.session.commit()
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert note_values(lever_server, opportunity_id) == []


def _busy_notes(monkeypatch, times: int, reach_lever: bool = False) -> list[int]:
    """Make the note's POST meet a busy Lever `times` times (after reaching Lever, if asked)."""
    from lever_cezanne.lever.client import LeverClient
    from lever_cezanne.lever.errors import LeverTransientError

    real, calls = LeverClient.add_note, []

    def add_note(self, opportunity_id, text):
        calls.append(1)
        if len(calls) <= times:
            if reach_lever:
                real(self, opportunity_id, text)
            raise LeverTransientError("Lever did not answer in time", detail="Timeout")
        return real(self, opportunity_id, text)

    monkeypatch.setattr(LeverClient, "add_note", add_note)
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)
    return calls


@pytest.mark.committed
def test_a_busy_lever_is_retried_with_the_job_and_the_note_sent_once(
    db, integration, add_candidate, send_hire, runner, lever_server, monkeypatch
):
    calls = _busy_notes(monkeypatch, times=2)
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Bea Busy")
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    assert len(calls) == 3 and len(note_values(lever_server, opportunity_id)) == 1
    assert rows(db, "warning") == []
    db.session.expire_all()
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts) == ("completed", 3)


@pytest.mark.committed
def test_a_timed_out_post_that_reached_lever_is_not_sent_again(
    db, integration, add_candidate, send_hire, runner, lever_server, monkeypatch
):
    calls = _busy_notes(monkeypatch, times=1, reach_lever=True)
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Tim Timeout")
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    assert len(calls) == 1  # the retry read Lever's notes, found its note, and did not post
    assert len(note_values(lever_server, opportunity_id)) == 1
    db.session.expire_all()
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT
    assert rows(db, "warning") == []


@pytest.mark.committed
def test_lever_busy_through_the_last_attempt_warns_once_and_a_resend_sends_it(
    db, integration, add_candidate, send_hire, runner, lever_server, monkeypatch
):
    calls = _busy_notes(monkeypatch, times=len(queue.RETRY_INTERVALS) + 1)
    integration.write_back_notes = True
    authorise_with(db, integration, lever_scopes.needed(True))
    opportunity_id = add_candidate("Lou Late")
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    [warning] = rows(db, "warning")
    assert warning.startswith("Lever was not told that Lou Late")
    assert warning.endswith(
        "is in Cezanne HR yet: Lever did not answer in time. It is tried again when Lever "
        "sends this hire again. The hire itself is complete."
    )
    assert note_values(lever_server, opportunity_id) == []
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts) == ("completed", len(queue.RETRY_INTERVALS) + 1)

    send_hire(opportunity_id)  # Lever sends the hire again; Lever is no longer busy
    assert runner.wait_idle(30)
    assert len(note_values(lever_server, opportunity_id)) == 1
    assert len(calls) == len(queue.RETRY_INTERVALS) + 2
    db.session.expire_all()
    assert db.session.scalar(select(LeverNote.status)) == NoteStatus.SENT
