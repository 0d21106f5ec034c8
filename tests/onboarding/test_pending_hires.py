"""Review before create: a held hire, then approve (once), merge or reject."""

import re
import threading
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from lever_cezanne.extensions import db as _db
from lever_cezanne.models import Employment, LogEntry, Person, Task, User, WebhookDelivery
from lever_cezanne.models.pending import PendingHire
from lever_cezanne.onboarding.rules import start_new_starter
from lever_cezanne.processes import pending_hires
from tests.conftest import ON_POSTGRES


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


@pytest.fixture
def held(db, integration, make_delivery, starter, process):
    integration.review_hires = True
    db.session.commit()
    delivery = make_delivery()
    outcome = start_new_starter(integration, delivery, starter())
    assert outcome.errors == 0 and outcome.person_id is None
    return db.session.scalar(select(PendingHire))


def _approve_form(**changes) -> dict:
    data = {
        "first_name": "Cosima",
        "surname": "Niehaus",
        "known_as": "Cosima",
        "full_name": "Cosima Niehaus",
        "legal_name": "Cosima Niehaus",
        "external_email": "cosima@example.com",
        "hire_date": "2024-07-01",
    }
    return {**data, **changes}


def test_a_reviewed_hire_waits_and_creates_nothing(db, held, integration, make_delivery, starter):
    assert held.status == "pending" and held.full_name == "Cosima Niehaus"
    assert _count(db, Person) == 0 and _count(db, Task) == 0
    [entry] = db.session.scalars(select(LogEntry)).all()
    assert entry.message.startswith("Waiting for review: Cosima Niehaus (Person Code contact-1)")
    # The same delivery run again (a retry) holds nothing new.
    start_new_starter(integration, db.session.get(WebhookDelivery, held.delivery_id), starter())
    assert _count(db, PendingHire) == 1 and _count(db, LogEntry) == 1


def test_with_the_option_off_nothing_changes(db, integration, make_delivery, starter, process):
    start_new_starter(integration, make_delivery(), starter())
    assert _count(db, PendingHire) == 0 and _count(db, Person) == 1 and _count(db, Task) == 1


def test_the_review_page_shows_what_would_be_created_and_flags(
    db, client, hr_user, login_as, held, make_person
):
    make_person("Cosima", "Niehaus", email="COSIMA@example.com")
    login_as(hr_user)
    nav = _text(client.get("/hires/pending"))
    assert "Cosima Niehaus" in nav and 'data-pending-hires="1"' in nav

    page = _text(client.get(f"/hires/pending/{held.id}"))

    person = page.split('id="would-person"')[1].split("</section>")[0]
    assert "contact-1" in person and "cosima@example.com" in person and "Not Known" in person
    employment = page.split('id="would-employment"')[1].split("</section>")[0]
    assert "ACME — Acme Ltd" in employment and "01 Jul 2024" in employment
    # The offer's job under the names HR reads, each once.
    for label in ("Job Title", "Department", "Location", "Line Manager", "Salary"):
        assert employment.count(f"<dt>{label}</dt>") == 1, label
    assert "job_title" not in employment and "line_manager" not in employment
    attention = page.split('id="attention"')[1].split("</section>")[0]
    assert "Possible duplicate of Cosima Niehaus" in attention


def test_one_word_name_and_missing_email_are_flagged(db, integration, make_delivery, starter):
    flags = pending_hires.attention(starter("Cher", email=None), [])
    messages = " ".join(f.message for f in flags)
    assert "one-word name" in messages and "no e-mail address" in messages


def test_approve_with_edits_creates_the_records_once(db, client, hr_user, login_as, held):
    login_as(hr_user)
    response = client.post(
        f"/hires/pending/{held.id}/approve",
        data=_approve_form(known_as="Cos", hire_date="2024-07-08"),
    )
    page = _follow(client, response)
    assert "Approved: Cosima Niehaus is now in Cezanne HR." in page
    person = db.session.scalar(select(Person))
    assert person.known_as == "Cos"
    # The page then shows what was created, the corrections included.
    shown = page.split('id="would-person"')[1].split("</section>")[0]
    assert "Person as approved" in shown and "<dd>Cos</dd>" in shown
    assert "08 Jul 2024" in page.split('id="would-employment"')[1].split("</section>")[0]
    assert person.employments[0].hire_date == date(2024, 7, 8)
    assert _count(db, Task) == 1

    again = client.post(f"/hires/pending/{held.id}/approve", data=_approve_form())
    assert "already approved by Alex Morgan: nothing more was created" in _follow(client, again)
    assert _count(db, Person) == 1 and _count(db, Employment) == 1 and _count(db, Task) == 1
    db.session.refresh(held)
    assert held.status == "approved" and held.person_id == person.id


def test_a_refused_approval_keeps_the_corrections_and_says_so(
    db, client, hr_user, login_as, held, process
):
    process.active = False  # nothing can be created: the approval is refused and released
    db.session.commit()
    login_as(hr_user)
    refused = client.post(f"/hires/pending/{held.id}/approve", data=_approve_form(known_as="Cos"))
    page = _follow(client, refused)
    assert "Nothing could be created: the integration's Log says why." in page
    assert "did not finish: this page and the form below hold its corrections." in page
    [known_as] = re.findall(r'<input[^>]*name="known_as"[^>]*>', page)
    assert 'value="Cos"' in known_as
    assert "<dd>Cos</dd>" in page.split('id="would-person"')[1].split("</section>")[0]
    assert _count(db, Person) == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent approvals need PostgreSQL's row locks")
@pytest.mark.committed
def test_two_tabs_approving_at_once_create_one_set_of_records(app, db, held, hr_user, admin):
    errors, barrier = [], threading.Barrier(2)

    def approve(user_id):
        with app.app_context():
            user = _db.session.get(User, user_id)
            mine = _db.session.get(PendingHire, held.id)
            barrier.wait()
            try:
                pending_hires.approve(mine, user, {})
            except Exception as exc:
                errors.append(str(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=approve, args=(u.id,)) for u in (hr_user, admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert _count(db, Person) == 1 and _count(db, Employment) == 1 and _count(db, Task) == 1
    assert len(errors) == 1 and "already" in errors[0]


def test_merge_makes_a_new_employment_on_the_existing_person(
    db, client, hr_user, login_as, held, make_person, make_employment, company
):
    existing = make_person("Cosima", "Niehaus", code="EMP-7", email="cosima@example.com")
    make_employment(existing, company, date(2019, 1, 7), termination_date=date(2021, 5, 31))
    login_as(hr_user)

    response = client.post(f"/hires/pending/{held.id}/merge", data={"person_code": "emp-7"})

    assert "Merged into Cosima Niehaus (Person Code EMP-7)." in _follow(client, response)
    assert _count(db, Person) == 1
    db.session.refresh(existing)
    assert [e.hire_date for e in existing.employments] == [date(2024, 7, 1), date(2019, 1, 7)]
    assert db.session.scalar(select(Task)).person_id == existing.id
    db.session.refresh(held)
    assert held.status == "merged" and held.person_id == existing.id


def test_merge_into_an_unknown_person_code_says_so(db, client, hr_user, login_as, held):
    login_as(hr_user)
    page = _text(client.post(f"/hires/pending/{held.id}/merge", data={"person_code": "nope"}), 422)
    assert "No person has the Person Code 'nope'." in page
    # The page opens with the summary of what to fix, linked to the field, as every form does.
    summary = page.split("There is a problem")[1].split("</div>")[0]
    assert 'href="#person_code">No person has the Person Code' in summary
    assert _count(db, Person) == 0


def test_reject_records_the_reason_on_the_log(db, client, hr_user, login_as, held):
    login_as(hr_user)
    page = _text(client.post(f"/hires/pending/{held.id}/reject", data={"reason": " "}), 422)
    assert "Enter the reason." in page
    assert 'href="#reason">Enter the reason.' in page.split("There is a problem")[1]

    response = client.post(
        f"/hires/pending/{held.id}/reject", data={"reason": "Offer withdrawn before start."}
    )

    assert "Rejected: nothing was created for Cosima Niehaus." in _follow(client, response)
    assert _count(db, Person) == 0
    messages = [e.message for e in db.session.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert messages[-1] == (
        f"Pending hire {held.id} of Cosima Niehaus was rejected by Alex Morgan: Offer withdrawn "
        "before start. Nothing was created in Cezanne HR."
    )
    again = client.post(f"/hires/pending/{held.id}/approve", data=_approve_form())
    assert "already rejected" in _follow(client, again)
    assert _count(db, Person) == 0


class Killed(BaseException):
    """The web process vanished mid-request: no except Exception, rollback or release runs."""


def _approve_until_killed(monkeypatch, held, user, commits: int) -> None:
    """Approve, with the server dying right after the session's nth commit."""
    real_commit, seen = _db.session.commit, []

    def commit():
        real_commit()
        seen.append(1)
        if len(seen) == commits:
            raise Killed

    monkeypatch.setattr(_db.session, "commit", commit)
    with pytest.raises(Killed):
        pending_hires.approve(held, user, {"known_as": "Cos"})
    monkeypatch.undo()
    _db.session.rollback()


def _lapse(db, held) -> None:
    """Let the interrupted approval's claim age past its lease."""
    held.decided_at = held.decided_at - pending_hires.APPROVAL_LEASE - timedelta(seconds=1)
    db.session.commit()


# A clean approval commits 3 times: the claim, then the new person with their Employment Details,
# task and Log rows, and the pending hire's status last. The server dies after each but the last
# in turn.
@pytest.mark.parametrize("commits", range(1, 3))
def test_an_approval_interrupted_by_a_crash_can_be_finished_without_duplicates(
    monkeypatch, db, client, hr_user, admin, login_as, held, commits
):
    _approve_until_killed(monkeypatch, held, hr_user, commits)
    db.session.refresh(held)
    assert held.status == "approving"
    login_as(admin)
    # While the claim may still be a live request, nobody else starts a second approval.
    busy = _follow(client, client.post(f"/hires/pending/{held.id}/approve", data=_approve_form()))
    assert "Alex Morgan is already approving this pending hire: nothing more was created." in busy
    assert "Approval interrupted" not in busy and 'id="approve"' not in busy

    _lapse(db, held)
    page = _text(client.get(f"/hires/pending/{held.id}"))
    assert "Approval interrupted" in page
    assert "The approval by Alex Morgan on " in page and "did not finish" in page
    assert 'id="approve"' in page and 'id="merge"' in page and 'id="reject"' not in page
    # The reviewer's correction is offered again, not lost with the server.
    assert "The form below holds the corrections made in that approval." in page
    [known_as] = re.findall(r'<input[^>]*name="known_as"[^>]*>', page)
    assert 'value="Cos"' in known_as
    listed = _text(client.get("/hires/pending"))
    assert "Approval interrupted" in listed and 'data-pending-hires="1"' in listed
    # Rejecting could disown records the interrupted run made: refused, with what to do.
    refused = client.post(f"/hires/pending/{held.id}/reject", data={"reason": "Changed my mind."})
    assert "approve or merge it again to finish them" in _follow(client, refused)

    done = client.post(f"/hires/pending/{held.id}/approve", data=_approve_form(known_as="Cos"))
    assert "Approved: Cosima Niehaus is now in Cezanne HR." in _follow(client, done)
    assert _count(db, Person) == 1 and _count(db, Employment) == 1 and _count(db, Task) == 1
    db.session.refresh(held)
    person = db.session.scalar(select(Person))
    assert held.status == "approved" and held.person_id == person.id
    assert held.decided_by_id == admin.id
    assert 'data-pending-hires="' not in _text(client.get("/hires/pending"))


def test_a_clean_approval_makes_the_commits_the_crash_test_interrupts(
    monkeypatch, db, hr_user, held
):
    # Keeps the parametrised range above honest: it must cover every commit but the last.
    real_commit, seen = _db.session.commit, []
    monkeypatch.setattr(_db.session, "commit", lambda: (real_commit(), seen.append(1)))
    pending_hires.approve(held, hr_user, {})
    # The 4th follows the finished approval: this unauthorised integration's Warning that its
    # Documents and note could not be fetched.
    assert len(seen) == 4
    assert "were not fetched: Lever access was revoked" in db.session.scalar(
        select(LogEntry.message).where(LogEntry.level == "warning")
    )


def test_a_second_delivery_of_the_same_hire_holds_nothing_more(
    db, integration, make_delivery, starter, process
):
    integration.review_hires = True
    db.session.commit()
    webhook, sync = make_delivery(), make_delivery()
    start_new_starter(integration, webhook, starter())
    start_new_starter(integration, sync, starter())
    [held] = db.session.scalars(select(PendingHire)).all()
    assert held.delivery_id == webhook.id
    rows = {e.delivery_id: e.message for e in db.session.scalars(select(LogEntry))}
    assert rows[webhook.id].startswith("Waiting for review: Cosima Niehaus")
    assert rows[sync.id] == (
        f"Already held for review: Cosima Niehaus (Person Code contact-1) is pending hire "
        f"{held.id} (pending), held from another delivery of the same Lever hire, so nothing "
        "more was held."
    )
    # Another opportunity of the same candidate is its own pending hire.
    start_new_starter(integration, make_delivery("opp-2"), starter(opportunity_id="opp-2"))
    assert _count(db, PendingHire) == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="the race needs PostgreSQL's unique index under load")
@pytest.mark.committed
def test_racing_deliveries_of_one_hire_give_one_pending_hire(
    app, db, integration, make_delivery, starter, process
):
    integration.review_hires = True
    db.session.commit()
    for round_ in range(5):
        opportunity = f"opp-race-{round_}"
        ids = [make_delivery(opportunity).id for _ in range(4)]
        errors, barrier = [], threading.Barrier(len(ids))

        def hold(delivery_id, opportunity=opportunity, barrier=barrier, errors=errors):
            with app.app_context():
                mine = _db.session.get(type(integration), integration.id)
                delivery = _db.session.get(WebhookDelivery, delivery_id)
                held = starter(opportunity_id=opportunity)
                barrier.wait()
                try:
                    start_new_starter(mine, delivery, held)
                except Exception as exc:
                    errors.append(repr(exc))
                finally:
                    _db.session.remove()

        threads = [threading.Thread(target=hold, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        db.session.expire_all()
        [held] = db.session.scalars(
            select(PendingHire).where(PendingHire.opportunity_id == opportunity)
        ).all()
        messages = db.session.scalars(
            select(LogEntry.message).where(LogEntry.delivery_id.in_(ids))
        ).all()
        assert len(messages) == 4
        assert sum(m.startswith("Waiting for review") for m in messages) == 1
        assert sum(m.startswith("Already held for review") for m in messages) == 3
        assert all(f"pending hire {held.id}" in m for m in messages)


def test_an_approval_the_job_queue_cannot_take_says_so_on_the_log(
    monkeypatch, app, db, integration, hr_user, held
):
    integration.auth_status = "authorised"  # the job would run: Lever access is fine
    db.session.commit()
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    try:
        pending_hires.approve(held, hr_user, {})
    finally:
        monkeypatch.undo()
        opened = app.extensions.pop("lever_redis", None)
        if opened is not None:
            opened.close()
    db.session.refresh(held)
    assert held.status == "approved" and _count(db, Person) == 1  # the approval stands
    warning = db.session.scalar(select(LogEntry.message).where(LogEntry.level == "warning"))
    assert warning == (
        "The Documents and the note to Lever for Cosima Niehaus (Person Code contact-1), "
        "approved under Pending hires, were not fetched: the background job queue could not be "
        "reached. The hire itself is complete; the files are on the candidate in Lever."
    )
