"""Storing a hire's files: a file a concurrent run stored first is skipped, nothing else undone."""

import hashlib

from sqlalchemy import select

from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import Document, LogEntry
from lever_cezanne.models.documents import DocumentSource
from lever_cezanne.models.integration import LEVEL_INFORMATION
from lever_cezanne.onboarding.documents import Fetched, Wanted, store


def _fetched(data: bytes, source=DocumentSource.RESUME, lever_id="resume-1") -> Fetched:
    wanted = Wanted(source, lever_id, f"{lever_id}.pdf", "/unused", {}, "unused")
    return Fetched(wanted, data, "application/pdf")


def test_a_file_stored_meanwhile_is_skipped_and_the_rest_is_kept(db, make_person, integration):
    person = make_person()
    store(person.id, [_fetched(b"letter", DocumentSource.OFFER_LETTER, "offer-1")], set())
    db.session.commit()  # a concurrent run's copy, stored after this run looked

    add_log_entry(integration.id, LEVEL_INFORMATION, "pending with the files")
    store(
        person.id,
        [_fetched(b"letter", DocumentSource.OFFER_LETTER, "offer-1"), _fetched(b"resume")],
        set(),  # what this run found stored before the other run's commit
    )
    db.session.commit()

    stored = db.session.scalars(
        select(Document.sha256).where(Document.person_id == person.id).order_by(Document.id)
    ).all()
    assert stored == [hashlib.sha256(b"letter").hexdigest(), hashlib.sha256(b"resume").hexdigest()]
    assert db.session.scalar(
        select(LogEntry.id).where(LogEntry.message == "pending with the files")
    )


def test_files_wait_for_the_callers_commit(db, make_person):
    person = make_person()
    store(person.id, [_fetched(b"resume")], set())
    db.session.rollback()

    assert db.session.scalars(select(Document).where(Document.person_id == person.id)).all() == []
