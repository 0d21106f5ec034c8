"""The outbox: the one place that writes an OutboxMail's status. Flushes, never commits.

queue_mail() adds a mail and remembers it on the session; once the session commits, the
after-commit hook in mail.sending starts the send job (or, without MAIL_SERVER, logs it).
"""

import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.mail import MailStatus, OutboxMail

log = logging.getLogger(__name__)
PENDING_KEY = "lever_mail_pending"
MAX_ERROR = 500


def queue_mail(
    recipients: list[str],
    subject: str,
    text: str,
    html: str,
    *,
    kind: str,
    dedupe_key: str | None = None,
    **links,
) -> OutboxMail | None:
    """Add a mail to the outbox; None when its dedupe_key was already used (sent before)."""
    if not recipients:
        return None
    mail = OutboxMail(
        kind=kind,
        recipients=",".join(recipients),
        subject=subject[:300],
        text_body=text,
        html_body=html,
        dedupe_key=dedupe_key,
        **links,
    )
    # A savepoint: a repeated dedupe_key loses only this insert, not the caller's transaction.
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        log.info("mail %s not queued again: already sent", dedupe_key)
        return None
    if not current_app.config.get("MAIL_SERVER"):
        mark_logged(mail)
        log_mail(mail)
        return mail
    db.session.info.setdefault(PENDING_KEY, []).append(mail.id)
    return mail


def log_mail(mail: OutboxMail) -> None:
    """Write a mail to the log (no MAIL_SERVER, as in development): the Outbox page shows it."""
    log.info(
        "Outbox (MAIL_SERVER is not set, so this was not sent) to %s: %s\n%s",
        mail.recipients,
        mail.subject,
        mail.text_body,
    )


def mark_sent(mail: OutboxMail) -> None:
    mail.status = MailStatus.SENT
    mail.attempts += 1
    mail.last_error = None
    mail.sent_at = utcnow()
    db.session.flush()


def mark_logged(mail: OutboxMail) -> None:
    """No MAIL_SERVER: the mail was written to the log, and the Outbox page shows it."""
    mail.status = MailStatus.LOGGED
    mail.sent_at = utcnow()
    db.session.flush()


def record_failure(mail: OutboxMail, error: str, final: bool) -> None:
    """Count a failed attempt; the last one marks the mail failed."""
    mail.attempts += 1
    mail.last_error = error[:MAX_ERROR]
    if final:
        mail.status = MailStatus.FAILED
    db.session.flush()


def retry_failed(mail: OutboxMail) -> None:
    """Put a failed mail back in the queue (an Administrator asked for it)."""
    mail.status = MailStatus.QUEUED
    mail.attempts = 0
    db.session.info.setdefault(PENDING_KEY, []).append(mail.id)
    db.session.flush()
