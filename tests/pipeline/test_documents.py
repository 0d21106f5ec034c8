"""Documents: the signed offer letter and the resume, byte-identical to Lever's, stored once."""

import hashlib

import pytest
from sqlalchemy import func, select

from lever_cezanne.deliveries import queue
from lever_cezanne.deliveries.process import process_delivery
from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Document, LeverIntegration, LogEntry, Person, WebhookDelivery
from lever_cezanne.models.documents import MAX_DOCUMENT_BYTES
from tests.pipeline.conftest import FULL_OFFER
from tests.pipeline.helpers import THREADS, lever_documents, needs_postgres, stored, together

pytestmark = pytest.mark.committed

MB = 1024 * 1024
LEVER_500 = "Lever is having problems on its side"


def warnings(db) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        select(LogEntry.message).where(LogEntry.level == "warning").order_by(LogEntry.id)
    ).all()


def test_a_hire_gets_its_signed_offer_letter_and_resume(
    db, integration, organisation, add_candidate, send_hire, runner, lever_server
):
    opportunity_id = add_candidate("Dana Documents", offer=FULL_OFFER)
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    documents = stored(db)
    assert set(documents) == {"offer_letter", "resume"}
    expected = lever_documents(lever_server, integration, opportunity_id)
    for source, document in documents.items():
        assert document.content == expected[source]  # byte-identical
        assert document.size == len(expected[source])
        assert document.sha256 == hashlib.sha256(expected[source]).hexdigest()
        assert document.content_type == "application/pdf"
        assert document.person.full_name == "Dana Documents"
        assert document.fetched_at is not None
    assert documents["offer_letter"].name == "employment-offer-letter_signed.pdf"
    assert documents["resume"].name == "Dana Documents CV.pdf"
    assert warnings(db) == []
    send_hire(opportunity_id)  # Lever sends the hire again: nothing is stored twice
    assert runner.wait_idle(20)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 2


def test_an_unsigned_offer_and_no_resume_store_nothing(
    db, integration, add_candidate, send_hire, runner
):
    opportunity_id = add_candidate("Una Unsigned", offer={"status": "sent"}, resume=None)
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert stored(db) == {}
    assert warnings(db) == []
    assert db.session.scalar(select(WebhookDelivery.status)) == "completed"


def test_a_missing_a_slow_and_an_oversized_file_are_warnings_not_failures(
    app, db, integration, add_candidate, send_hire, runner, monkeypatch
):
    app.config["LEVER_TIMEOUT"] = (3.05, 0.5)
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)  # the slow one is retried
    opportunity_id = add_candidate(
        "Olive Oversize",
        offer={"status": "signed", "document": {"missing": True}},
        resume={"name": "huge.pdf", "size": MAX_DOCUMENT_BYTES + 1},
    )
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    slow = add_candidate("Sol Slow", offer={"status": "sent"}, resume={"delay_ms": 2000})
    send_hire(slow)
    assert runner.wait_idle(30)
    assert stored(db) == {}
    found = warnings(db)
    assert any(
        m.startswith("Signed offer letter employment-offer-letter_signed.pdf for Olive Oversize")
        and "Lever has no such file" in m
        for m in found
    ), found
    assert any(
        m.startswith("Resume huge.pdf for Olive Oversize")
        and "the limit is 20 MB per file and it is 20 MB (20,971,521 bytes)" in m
        for m in found
    ), found
    assert any(
        m.startswith("Resume Sol Slow CV.pdf for Sol Slow") and "Lever did not answer in time" in m
        for m in found
    ), found
    db.session.expire_all()
    assert db.session.scalars(select(WebhookDelivery.status)).all() == ["completed", "completed"]
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2
    # A timeout is Lever being busy: retried with the job's backoff, a Warning only at the end.
    attempts = db.session.scalars(select(WebhookDelivery.attempts).order_by(WebhookDelivery.id))
    assert attempts.all() == [1, len(queue.RETRY_INTERVALS) + 1]
    assert sum(m.startswith("Resume Sol Slow CV.pdf") for m in found) == 1


def test_a_busy_lever_during_a_download_is_retried_not_a_warning(
    db, integration, organisation, add_candidate, send_hire, runner, lever_server, monkeypatch
):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)
    opportunity_id = add_candidate(
        "Bea Busy",
        offer={**FULL_OFFER, "document": {"busy": [500]}},
        resume={"busy": [429, 500]},
    )
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    documents = stored(db)
    assert set(documents) == {"offer_letter", "resume"}
    expected = lever_documents(lever_server, integration, opportunity_id)
    assert {s: d.content for s, d in documents.items()} == expected
    assert warnings(db) == []
    delivery = db.session.scalar(select(WebhookDelivery))
    # Attempt 1: the letter busy; 2 and 3: the letter stored, the resume busy; 4: all stored.
    assert (delivery.status, delivery.attempts) == ("completed", 4)
    hired = select(func.count()).select_from(Person).where(Person.full_name == "Bea Busy")
    assert db.session.scalar(hired) == 1  # the retries made no second person


def test_lever_busy_through_the_last_attempt_gives_one_warning(
    db, integration, organisation, add_candidate, send_hire, runner, monkeypatch
):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", (0.05,) * 5)
    opportunity_id = add_candidate(
        "Tess Trying", offer=FULL_OFFER, resume={"name": "cv.pdf", "busy": [500] * 6}
    )
    send_hire(opportunity_id)
    assert runner.wait_idle(30)
    assert set(stored(db)) == {"offer_letter"}  # stored on the first attempt, kept
    [warning] = warnings(db)
    assert warning.startswith("Resume cv.pdf for Tess Trying (Person Code ")
    assert warning.endswith(f"was not stored in Documents: {LEVER_500}.")
    assert "tried again" not in warning
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts) == ("completed", 6)


def test_a_document_warning_is_written_once_per_person_file_and_cause(
    db, integration, add_candidate, send_hire, runner
):
    opportunity_id = add_candidate(
        "Ria Resent",
        offer={"status": "signed", "document": {"missing": True}},
        resume={"name": "big.pdf", "size": MAX_DOCUMENT_BYTES + 1},
    )
    for _ in range(3):  # Lever sends the hire again: three deliveries
        send_hire(opportunity_id)
        assert runner.wait_idle(30)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 3
    found = [m for m in warnings(db) if "not stored in Documents" in m]
    assert len(found) == 2, found
    assert any(m.startswith("Signed offer letter") and "no such file" in m for m in found)
    assert any(m.startswith("Resume big.pdf") and "the limit is 20 MB" in m for m in found)


def test_twenty_concurrent_deliveries_store_each_document_once(
    app, db, integration, organisation, add_candidate, send_hire, lever_server, monkeypatch
):
    needs_postgres(app)
    monkeypatch.setattr(queue, "enqueue_delivery", lambda delivery_id, attempt: None)
    opportunity_id = add_candidate("Connie Current", offer=FULL_OFFER)
    for _ in range(THREADS):
        send_hire(opportunity_id)
    ids = db.session.scalars(select(WebhookDelivery.id)).all()
    assert len(ids) == THREADS
    integration_id = integration.id
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
    documents = stored(db)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 2
    authorised = db.session.get(LeverIntegration, integration_id)
    expected = lever_documents(lever_server, authorised, opportunity_id)
    assert {source: d.content for source, d in documents.items()} == expected
    assert warnings(db) == []


def test_fewer_scopes_keep_the_hire_working_and_name_the_scope(
    db, integration, organisation, add_candidate, send_hire, runner, lever_server
):
    from lever_cezanne.lever import oauth
    from lever_cezanne.lever.tokens import store_tokens
    from tests.lever.lever_helpers import CALLBACK, answer_consent

    earlier = tuple(s for s in oauth.lever_scopes.needed(False) if s != "resumes:read:admin")
    query = answer_consent(oauth.authorization_url(CALLBACK, "state", earlier))
    store_tokens(integration, oauth.exchange_code(query["code"], CALLBACK))
    db.session.commit()
    opportunity_id = add_candidate("Fay Fewer", offer=FULL_OFFER)
    send_hire(opportunity_id)
    assert runner.wait_idle(20)
    assert set(stored(db)) == {"offer_letter"}
    [warning] = warnings(db)
    assert warning.startswith("The resume for Fay Fewer")
    assert "not allowed resumes:read:admin" in warning
    assert "Re-authorise to allow documents and notes" in warning
    assert db.session.scalar(select(WebhookDelivery.status)) == "completed"
