"""Mail goes to a real SMTP server from a background job, retried, and never inside a request."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from lever_cezanne.mail import mail_user
from lever_cezanne.models import OutboxMail
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.mail import MailStatus
from tests.mail.conftest import parts


def _mail(db):
    db.session.expire_all()
    return db.session.scalar(select(OutboxMail).order_by(OutboxMail.id.desc()))


def _wait_status(db, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mail = _mail(db)
        if mail is not None and mail.status == status:
            return mail
        db.session.rollback()
        time.sleep(0.02)
    raise AssertionError(f"the mail never became {status}: {mail!r}")


@pytest.mark.committed
def test_mail_user_sends_text_and_html_after_the_commit(db, inbox, make_user):
    user = make_user("hr", display_name="Priya Shah", email="priya@example.com")
    mail_user(user, "Hello", "Plain words", "<p>HTML words</p>", kind="test")
    assert inbox.messages == []  # nothing leaves before the commit
    db.session.commit()
    recipients, message = inbox.wait_for(1)[0]
    assert recipients == ["priya@example.com"]
    assert message["Subject"] == "Hello" and message["From"] == "Cezanne HR <hr@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = parts(message)
    assert text.strip() == "Plain words" and "<p>HTML words</p>" in html
    sent = _wait_status(db, MailStatus.SENT)
    assert sent.attempts == 1 and sent.sent_at is not None and sent.user_id == user.id


def test_a_rolled_back_mail_is_never_sent(db, inbox, make_user):
    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Never", "text", "<p>html</p>", kind="test")
    db.session.rollback()
    db.session.commit()
    time.sleep(0.2)  # give a wrongly started send the time to arrive
    assert inbox.messages == [] and _mail(db) is None


def test_a_user_without_an_address_or_inactive_gets_nothing(db, inbox, make_user):
    assert mail_user(make_user("hr", email=None), "S", "t", "h", kind="test") is None
    inactive = make_user("hr", email="gone@example.com", active=False)
    assert mail_user(inactive, "S", "t", "h", kind="test") is None


@pytest.mark.committed
def test_the_same_dedupe_key_sends_once(db, inbox, make_user):
    user = make_user("hr", email="priya@example.com")
    assert mail_user(user, "One", "t", "h", kind="test", dedupe_key="k1") is not None
    db.session.commit()
    assert mail_user(user, "Two", "t", "h", kind="test", dedupe_key="k1") is None
    db.session.commit()
    inbox.wait_for(1)
    _wait_status(db, MailStatus.SENT)
    assert [m["Subject"] for _, m in inbox.messages] == ["One"]


@pytest.mark.committed
def test_a_refusing_server_is_retried_until_it_accepts(db, inbox, make_user):
    inbox.refuse = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Eventually", "t", "<p>h</p>", kind="test")
    db.session.commit()
    inbox.wait_for(1)
    sent = _wait_status(db, MailStatus.SENT)
    assert inbox.refused == 2 and sent.attempts == 3 and sent.last_error is None


@pytest.mark.committed
def test_a_stopped_sender_cancels_its_retries_and_the_mail_waits_in_the_outbox(
    app, db, inbox, make_user
):
    app.config["MAIL_RETRY_INTERVALS"] = [0.5, 0.5, 0.5]
    inbox.refuse = ["451 4.3.0 Try again later"]
    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Later", "t", "<p>h</p>", kind="test")
    db.session.commit()
    sender = app.extensions["lever_mail"]
    assert sender.wait_idle() and inbox.refused == 1  # refused once, its retry on a timer
    mail = _mail(db)
    assert sender.in_flight([mail.id]) == {mail.id}

    sender.shutdown()
    time.sleep(0.8)  # past the retry's time
    assert inbox.messages == [] and sender.in_flight([mail.id]) == set()
    assert _mail(db).status == MailStatus.QUEUED and _mail(db).attempts == 1
    sender.submit(mail.id, 2, [0.5])  # a stopped sender starts nothing more
    assert sender.wait_idle() and inbox.messages == []


def test_a_stopped_sender_forgets_the_sends_it_never_started(app, monkeypatch):
    from lever_cezanne.mail import sending

    release, started = threading.Event(), []

    def slow_send(mail_id, final_attempt):
        started.append(mail_id)
        assert release.wait(10)

    monkeypatch.setattr(sending, "send_outbox_mail", slow_send)
    sender = sending.ThreadSender(app)
    for mail_id in (1, 2, 3):  # two threads: the third waits for one
        assert sender.submit(mail_id, 0, [0.5])
    _until(lambda: len(started) == 2)
    sender.shutdown(wait=False)
    assert sender.in_flight([1, 2, 3]) == {1, 2}  # the third never ran: not in flight
    release.set()
    _until(lambda: sender.in_flight([1, 2, 3]) == set())
    assert started == [1, 2]


def _until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.committed
def test_a_server_that_keeps_refusing_marks_the_mail_failed(db, inbox, make_user):
    inbox.refuse = ["550 5.1.1 No such user"] * 4
    user = make_user("hr", email="nobody@example.com")
    mail_user(user, "Bounced", "t", "<p>h</p>", kind="test")
    db.session.commit()
    failed = _wait_status(db, MailStatus.FAILED)
    assert failed.attempts == 4 and "No such user" in failed.last_error
    assert inbox.messages == []


@pytest.mark.committed
def test_an_administrator_sends_a_failed_mail_again(db, inbox, make_user, client, admin, login_as):
    inbox.refuse = ["550 5.1.1 No such user"] * 4
    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Second chance", "t", "<p>h</p>", kind="test")
    db.session.commit()
    failed = _wait_status(db, MailStatus.FAILED)
    login_as(admin)
    page = client.get(f"/outbox/{failed.id}").get_data(as_text=True)
    assert "No such user" in page and f'action="/outbox/{failed.id}/retry"' in page
    response = client.post(f"/outbox/{failed.id}/retry", follow_redirects=True)
    assert "Sending again." in response.get_data(as_text=True)
    inbox.wait_for(1)
    sent = _wait_status(db, MailStatus.SENT)
    assert sent.id == failed.id
    again = client.post(f"/outbox/{failed.id}/retry", follow_redirects=True)
    assert "Only an e-mail that failed can be sent again." in again.get_data(as_text=True)
    assert len(inbox.messages) == 1


def test_without_mail_server_mail_is_logged_not_sent(app, db, make_user, caplog):
    app.config["MAIL_SERVER"] = None
    user = make_user("hr", email="priya@example.com")
    with caplog.at_level(logging.INFO, logger="lever_cezanne.mail"):
        mail_user(user, "Demo mail", "Body for the log", "<p>b</p>", kind="test")
        db.session.commit()
    assert "MAIL_SERVER is not set" in caplog.text and "Body for the log" in caplog.text
    assert _mail(db).status == MailStatus.LOGGED


@pytest.fixture
def rq_mail(redis_app, inbox):
    """The app's Redis connection, on an empty database: mail is queued through RQ."""
    from lever_cezanne.redis_client import redis_connection

    return redis_connection()


def test_with_redis_an_rq_worker_sends_the_mail(app, db, inbox, rq_mail, make_user):
    from lever_cezanne.deliveries.queue import rq_queue

    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Through RQ", "t", "<p>h</p>", kind="test")
    db.session.commit()
    queue = rq_queue()
    assert queue.job_ids == [f"mail-{_mail(db).id}"]
    db.session.remove()
    SimpleWorker([queue], connection=rq_mail, serializer=JSONSerializer).work(burst=True)
    inbox.wait_for(1)
    assert _mail(db).status == MailStatus.SENT


def test_with_redis_a_refused_mail_is_scheduled_for_retry(app, db, inbox, rq_mail, make_user):
    from rq.registry import ScheduledJobRegistry

    from lever_cezanne.deliveries.queue import rq_queue

    inbox.refuse = ["451 4.3.0 Try again later"]
    user = make_user("hr", email="priya@example.com")
    mail_user(user, "Retried by RQ", "t", "<p>h</p>", kind="test")
    db.session.commit()
    queue = rq_queue()
    db.session.remove()
    SimpleWorker([queue], connection=rq_mail, serializer=JSONSerializer).work(burst=True)
    mail = _mail(db)
    assert mail.status == MailStatus.QUEUED and mail.attempts == 1
    assert "Try again later" in mail.last_error
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == [f"mail-{mail.id}"]


def _lost_mail(db, make_user, minutes_ago):
    """A queued mail whose send job never ran (the queue was down when it was committed)."""
    from lever_cezanne.mail.outbox import PENDING_KEY

    user = make_user("hr", email="priya@example.com")
    mail = mail_user(user, "Lost", "t", "<p>h</p>", kind="test")
    db.session.info.pop(PENDING_KEY)  # as if the hand-over to the queue had failed
    mail.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return mail


@pytest.mark.committed
def test_mail_whose_job_was_lost_is_sent_by_the_periodic_requeue(db, inbox, make_user):
    from lever_cezanne.deliveries.schedule import run_all as run_periodic_jobs

    young = _lost_mail(db, make_user, minutes_ago=1)
    run_periodic_jobs()
    time.sleep(0.2)
    assert inbox.messages == []  # a young mail may still have its job: left alone
    young.created_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    run_periodic_jobs()
    inbox.wait_for(1)
    assert _wait_status(db, MailStatus.SENT).id == young.id
    run_periodic_jobs()
    time.sleep(0.2)
    assert len(inbox.messages) == 1


def test_with_redis_the_requeue_skips_a_mail_whose_job_is_alive(app, db, inbox, rq_mail, make_user):
    from lever_cezanne.deliveries.queue import rq_queue
    from lever_cezanne.mail.sending import requeue_stalled_mail

    mail = _lost_mail(db, make_user, minutes_ago=10)
    assert requeue_stalled_mail() == 1
    assert rq_queue().job_ids == [f"mail-{mail.id}"]
    assert requeue_stalled_mail() == 0  # its job is waiting in the queue
    assert rq_queue().job_ids == [f"mail-{mail.id}"]


def test_with_redis_a_mail_whose_popped_job_was_lost_is_queued_again(
    app, db, inbox, rq_mail, make_user
):
    from lever_cezanne.deliveries.queue import rq_queue
    from lever_cezanne.mail.sending import requeue_stalled_mail

    mail = _lost_mail(db, make_user, minutes_ago=10)
    assert requeue_stalled_mail() == 1
    queue = rq_queue()
    # A worker reading several queues popped the job and was killed before starting it: RQ still
    # calls the job queued, but no queue holds it.
    assert rq_mail.lpop(queue.key) == f"mail-{mail.id}".encode()
    assert queue.fetch_job(f"mail-{mail.id}").get_status() == "queued"
    assert requeue_stalled_mail() == 1
    assert queue.job_ids == [f"mail-{mail.id}"]
