"""Send queued mail in the background, never inside a request, retrying a failing server.

After a commit, each mail queued in that transaction is handed to RQ (REDIS_URL set) with
retries, or to a small thread pool in the embedded default. Without MAIL_SERVER the mail was
already marked logged by the outbox, and is written to the log here.
"""

import logging
import smtplib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Retry, get_current_job
from sqlalchemy import event, select

from lever_cezanne.extensions import db
from lever_cezanne.mail import outbox
from lever_cezanne.mail.smtp import build_message, send_message
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.mail import MailStatus, OutboxMail

log = logging.getLogger(__name__)
MAIL_JOB = "lever_cezanne.mail.sending.run_send_mail"
RETRY_INTERVALS = (30, 120, 600, 1800)
JOB_TIMEOUT = 120
STALLED_AFTER = timedelta(minutes=5)
REQUEUE_BATCH = 100


class MailNotSent(RuntimeError):
    """The SMTP server did not take the mail; the job is retried."""


def init_app(app: Flask) -> None:
    """Start sending each transaction's mail once it has committed."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


def _after_commit(session) -> None:
    pending = session.info.pop(outbox.PENDING_KEY, [])
    if pending:
        start_sending(pending)


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:  # the outer transaction ended without a commit: forget
        session.info.pop(outbox.PENDING_KEY, None)


def start_sending(mail_ids: list[int]) -> None:
    """Hand committed mail to the queue; a mail the queue cannot take waits for requeue_mail."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SERVER"):
        return
    for mail_id in mail_ids:
        try:
            _enqueue(app, mail_id)
        except (RedisError, OSError, RuntimeError):
            log.exception("mail %s: could not be queued; it is retried within minutes", mail_id)


def _job_id(mail_id: int) -> str:
    return f"mail-{mail_id}"


def _enqueue(app: Flask, mail_id: int) -> None:
    intervals = list(app.config.get("MAIL_RETRY_INTERVALS", RETRY_INTERVALS))
    if not app.config.get("REDIS_URL"):
        _threads(app).submit(mail_id, 0, intervals)
        return
    from lever_cezanne.deliveries.queue import rq_queue

    rq_queue().enqueue(
        MAIL_JOB,
        mail_id,
        job_id=_job_id(mail_id),
        retry=Retry(max=len(intervals), interval=intervals),
        job_timeout=JOB_TIMEOUT,
    )


def _in_flight(app: Flask, mail_ids: list[int]) -> set[int]:
    """Return the mails a job is still waiting, running or retrying for."""
    if not app.config.get("REDIS_URL"):
        return _threads(app).in_flight(mail_ids)
    from lever_cezanne.deliveries.queue import jobs_waiting

    alive = jobs_waiting([_job_id(i) for i in mail_ids], started_counts=True)
    return {mail_id for mail_id, live in zip(mail_ids, alive, strict=True) if live}


def requeue_stalled_mail() -> int:
    """Queue again mail whose job was lost (the queue was down at commit, a worker died)."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SERVER"):
        return 0
    stalled = list(
        db.session.scalars(
            select(OutboxMail.id)
            .where(
                OutboxMail.status == MailStatus.QUEUED,
                OutboxMail.created_at < utcnow() - STALLED_AFTER,
            )
            .order_by(OutboxMail.id)
            .limit(REQUEUE_BATCH)
        )
    )
    if not stalled:
        return 0
    lost = [mail_id for mail_id in stalled if mail_id not in _in_flight(app, stalled)]
    start_sending(lost)
    return len(lost)


def send_outbox_mail(mail_id: int, final_attempt: bool) -> str:
    """Send one queued mail; raise MailNotSent (to be retried) unless this was the last try."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.status != MailStatus.QUEUED:
        return "nothing to send"
    config = current_app.config
    try:
        send_message(config, build_message(mail, config["MAIL_DEFAULT_SENDER"]))
    except (smtplib.SMTPException, OSError) as exc:
        # The server's answer, never our credentials: smtplib does not echo the password.
        error = f"{type(exc).__name__}: {exc}"
        outbox.record_failure(mail, error, final=final_attempt)
        db.session.commit()
        log.warning("mail %s (%s) not sent: %s", mail.id, mail.kind, error)
        if final_attempt:
            return "failed"
        raise MailNotSent(error) from None
    outbox.mark_sent(mail)
    db.session.commit()
    log.info("mail %s (%s) sent to %s", mail.id, mail.kind, len(mail.recipient_list))
    return "sent"


def run_send_mail(mail_id: int) -> str:
    """The RQ job: send one mail inside the worker's app."""
    from lever_cezanne.deliveries.worker import worker_app

    app = worker_app()
    job = get_current_job()
    with app.app_context():
        try:
            return send_outbox_mail(mail_id, final_attempt=job is None or not job.retries_left)
        finally:
            db.session.remove()


class ThreadSender:
    """The embedded default's sender: a thread sends, a timer retries with the same backoff."""

    def __init__(self, app: Flask):
        self.app = app
        self._executor = ThreadPoolExecutor(2, "lever-mail")
        self._lock = threading.Lock()
        self._mail_ids: dict[int, int] = {}  # mail id -> sends running or waiting to retry
        self._timers: dict[threading.Timer, int] = {}  # retry timer -> its mail id
        self._queued: dict[Future, int] = {}  # a send waiting for a thread -> its mail id
        self._stopping = False

    def submit(self, mail_id: int, attempt: int, intervals: list[float]) -> bool:
        """Send soon on a thread; False once stopped (the mail waits in the outbox, and the
        periodic requeue sends it)."""
        with self._lock:
            if self._stopping:
                return False
            self._mail_ids[mail_id] = self._mail_ids.get(mail_id, 0) + 1
            future = self._executor.submit(self._run, mail_id, attempt, intervals)
            self._queued[future] = mail_id
        future.add_done_callback(self._dequeued)
        return True

    def _dequeued(self, future: Future) -> None:
        with self._lock:
            self._queued.pop(future, None)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the retry timers and the sending threads (those sending finish when `wait`)."""
        with self._lock:
            self._stopping = True
            timers, self._timers = self._timers, {}
            for mail_id in timers.values():
                self._forget(mail_id)
        for timer in timers:
            timer.cancel()
        with self._lock:
            queued = dict(self._queued)
        self._executor.shutdown(wait=wait, cancel_futures=True)
        for future, mail_id in queued.items():
            if future.cancelled():  # never ran: it waits in the outbox
                self._finished(mail_id)

    def in_flight(self, mail_ids: list[int]) -> set[int]:
        with self._lock:
            return {mail_id for mail_id in mail_ids if mail_id in self._mail_ids}

    def _run(self, mail_id: int, attempt: int, intervals: list[float]) -> None:
        try:
            with self.app.app_context():
                try:
                    send_outbox_mail(mail_id, final_attempt=attempt >= len(intervals))
                finally:
                    db.session.remove()
        except MailNotSent:
            self._retry_later(mail_id, attempt + 1, intervals)
        except Exception:
            log.exception("mail %s: the send job failed unexpectedly", mail_id)
        self._finished(mail_id)

    def _retry_later(self, mail_id: int, attempt: int, intervals: list[float]) -> None:
        """Submit again after the backoff; the mail counts as in flight while it waits."""
        with self._lock:
            self._mail_ids[mail_id] = self._mail_ids.get(mail_id, 0) + 1

        def fire():
            self.submit(mail_id, attempt, intervals)
            with self._lock:
                if self._timers.pop(timer, None) is not None:  # else shutdown forgot it
                    self._forget(mail_id)

        timer = threading.Timer(intervals[attempt - 1], fire)
        timer.daemon = True
        with self._lock:
            if self._stopping:
                self._forget(mail_id)
                return
            self._timers[timer] = mail_id
        timer.start()

    def _forget(self, mail_id: int) -> None:
        left = self._mail_ids.get(mail_id, 1) - 1
        if left <= 0:
            self._mail_ids.pop(mail_id, None)
        else:
            self._mail_ids[mail_id] = left

    def _finished(self, mail_id: int) -> None:
        with self._lock:
            self._forget(mail_id)


def _threads(app: Flask) -> ThreadSender:
    if "lever_mail" not in app.extensions:
        app.extensions["lever_mail"] = ThreadSender(app)
    return app.extensions["lever_mail"]
