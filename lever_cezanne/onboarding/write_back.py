"""Tell Lever when the hire is in Cezanne HR: one note per hire on the opportunity.

Exactly once, across retries, repeats and concurrent runs (Lever has no idempotency key, so a
second POST would be a second note):

1. **Claim** before sending: insert the (integration, opportunity) row as ``sending`` and commit.
   A concurrent twin's insert fails on the unique key and it sends nothing. A ``failed`` row is
   re-claimed with a conditional UPDATE, so only one run wins that too.
2. **Send** the note, then mark the row ``sent`` with Lever's note id (or ``failed`` + Warning).
3. **Crash-safe:** if the sender stopped between 1 and 2, the row stays ``sending``. Once that
   claim is older than STALE_CLAIM (far longer than any POST may take), the next run reads the
   opportunity's notes in Lever: if our note is there it is only marked ``sent``; if not, that
   run re-claims the row (conditional on the claim it saw) and sends it.

This module is the only one that changes ``LeverNote.status``.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lever_cezanne.core.dates import today_in
from lever_cezanne.extensions import db
from lever_cezanne.lever import scopes
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import LeverError, LeverForbiddenError, LeverTransientError
from lever_cezanne.models import LeverNote
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import LEVEL_INFORMATION, LEVEL_WARNING
from lever_cezanne.models.lever_notes import NoteStatus

STALE_CLAIM = timedelta(minutes=5)


def note_text(person_code: str, day) -> str:
    """Return the note Lever gets: "Added to Cezanne HR as Person Code … on …"."""
    return f"Added to Cezanne HR as Person Code {person_code} on {day.day} {day:%B %Y}."


def _row(integration_id: int, opportunity_id: str) -> LeverNote | None:
    return db.session.scalars(
        select(LeverNote)
        .where(
            LeverNote.integration_id == integration_id,
            LeverNote.opportunity_id == opportunity_id,
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


def _reclaim(note: LeverNote, status: str, claimed_at) -> bool:
    """Take the row over if nobody changed it since we read it; commit."""
    result = db.session.execute(
        update(LeverNote)
        .where(
            LeverNote.id == note.id,
            LeverNote.status == status,
            LeverNote.claimed_at == claimed_at,
        )
        .values(status=NoteStatus.SENDING, claimed_at=utcnow(), last_error=None)
    )
    db.session.commit()
    return result.rowcount == 1


def _already_in_lever(client: LeverClient, note: LeverNote) -> bool:
    """Tell whether the opportunity already has our note (a sender that stopped after POST)."""
    for found in client.get_notes(note.opportunity_id):
        fields = found.get("fields") if isinstance(found, dict) else None
        for field in fields if isinstance(fields, list) else []:
            if isinstance(field, dict) and field.get("value") == note.text:
                return True
    return False


def claim(client: LeverClient, integration_id: int, hire_log) -> LeverNote | None:
    """Return the note row if this run is the one to send it, else None."""
    person = hire_log.person
    text = note_text(person.person_code, today_in(current_app.config["TIMEZONE"]))
    note = LeverNote(
        integration_id=integration_id,
        opportunity_id=hire_log.opportunity_id,
        person_id=person.id,
        status=NoteStatus.SENDING,
        text=text,
    )
    db.session.add(note)
    try:
        db.session.commit()
        return note
    except IntegrityError:
        db.session.rollback()  # claimed before: by a concurrent twin or an earlier delivery
    note = _row(integration_id, hire_log.opportunity_id)
    if note is None or note.status == NoteStatus.SENT:
        return None
    if note.status == NoteStatus.FAILED:
        return note if _reclaim(note, NoteStatus.FAILED, note.claimed_at) else None
    if utcnow() - note.claimed_at < STALE_CLAIM:
        return None  # another run is sending it right now
    seen = note.claimed_at
    if _already_in_lever(client, note):
        _finish(note, None)
        return None
    return note if _reclaim(note, NoteStatus.SENDING, seen) else None


def _finish(note: LeverNote, lever_note_id: str | None) -> None:
    note.status = NoteStatus.SENT
    note.sent_at = utcnow()
    note.lever_note_id = lever_note_id
    db.session.commit()


def _fail(note: LeverNote, why: str) -> None:
    note.status = NoteStatus.FAILED
    note.last_error = why
    db.session.commit()


def _check_first(note: LeverNote, why: str) -> None:
    """Leave the claim stale, so the next run reads Lever's notes before it sends: a busy or
    timed-out POST may still have added the note."""
    note.claimed_at = utcnow() - STALE_CLAIM
    note.last_error = why
    db.session.commit()


def _why(exc: LeverError) -> str:
    if isinstance(exc, LeverForbiddenError):
        return (
            f"Lever refused it because this integration was not allowed {scopes.NOTES}. "
            f"{scopes.REAUTHORISE_FOR_MORE} under Integrations › Lever"
        )
    if isinstance(exc, LeverTransientError):
        return exc.final_message.rstrip(".")
    return str(exc).rstrip(".")


def send_note(client: LeverClient, integration, hire_log) -> None:
    """Add the hire's note in Lever once; a failure is a Warning row, never a failed hire."""
    try:
        note = claim(client, integration.id, hire_log)
    except LeverError as exc:  # reading Lever's notes to recover a stopped sender failed
        if isinstance(exc, LeverTransientError) and not hire_log.final_attempt:
            raise  # Lever is busy: the job tries again with its backoff
        hire_log.write(
            LEVEL_WARNING,
            f"Lever was not told that {hire_log.who} is in Cezanne HR yet: {_why(exc)}. It is "
            "tried again when Lever sends this hire again.",
        )
        return
    if note is None:
        return
    try:
        lever_note_id = client.add_note(note.opportunity_id, note.text)
    except LeverTransientError as exc:
        _check_first(note, _why(exc))
        if not hire_log.final_attempt:
            raise  # the job tries again with its backoff; only its last attempt warns
        hire_log.write(
            LEVEL_WARNING,
            f"Lever was not told that {hire_log.who} is in Cezanne HR yet: {_why(exc)}. It is "
            "tried again when Lever sends this hire again. The hire itself is complete.",
        )
        return
    except LeverError as exc:
        why = _why(exc)
        _fail(note, why)
        hire_log.write(
            LEVEL_WARNING,
            f"Lever was not told that {hire_log.who} is in Cezanne HR: the note was refused: "
            f"{why}. The hire itself is complete.",
        )
        return
    _finish(note, lever_note_id)
    hire_log.write(LEVEL_INFORMATION, f"Note added in Lever for {hire_log.who}: “{note.text}”")
