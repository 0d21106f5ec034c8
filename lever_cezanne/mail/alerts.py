"""Alerts by e-mail, rate-limited through the outbox's dedupe keys.

- A cause that stops hires (Needs re-authorisation, or a setting that makes hires fail): at once,
  at most once per cause per day (a day in TIMEZONE) to the integration's Alert e-mails.
- New Error rows: a digest at most once an hour, listing each failed hire with a link.
- A new New Starter task: at once, to its New Hire Administrator.

check_alerts() runs every minute (deliveries.schedule); notify_new_task() runs when a task is made.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import func, select

from lever_cezanne.core.dates import today_in
from lever_cezanne.extensions import db
from lever_cezanne.integration.activity import open_errors_query
from lever_cezanne.integration.state import setting_warnings
from lever_cezanne.mail import mail_user, reachable
from lever_cezanne.mail.addresses import listed
from lever_cezanne.mail.outbox import queue_mail
from lever_cezanne.models import LeverIntegration, LogEntry, OutboxMail, Task, User
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_NEEDS_REAUTHORISATION, LEVEL_ERROR
from lever_cezanne.public_urls import DEVELOPMENT_BASE_URL, link_for

log = logging.getLogger(__name__)
DIGEST_EVERY = timedelta(hours=1)
FIRST_DIGEST_LOOKBACK = timedelta(days=1)
DIGEST_MAX_HIRES = 50
KIND_CAUSE, KIND_DIGEST, KIND_TASK = "alert", "error_digest", "new_task"
KIND_REASSIGNED = "reassigned_task"


@dataclass(frozen=True)
class Cause:
    """Something that stops hires now: its code (the dedupe key), what is wrong, the fix."""

    code: str
    message: str
    fix_label: str
    fix_url: str


def _reauthorise_link(integration: LeverIntegration) -> str:
    """The Details form's Lever connection section, where Re-authorise is."""
    path = link_for("integration_setup.integration_edit", integration_id=integration.id)
    return f"{path}#connection-heading"


def current_causes(integration: LeverIntegration) -> list[Cause]:
    """Return what stops the integration's hires now: lost authorisation, then bad settings."""
    causes = []
    if integration.auth_status == AUTH_NEEDS_REAUTHORISATION:
        causes.append(
            Cause(
                "needs_reauthorisation",
                "Lever refused the integration's access (it was revoked in Lever, or it "
                "expired), so hires from Lever are not being processed.",
                "Re-authorise",
                _reauthorise_link(integration),
            )
        )
    causes.extend(_setting_causes(integration))
    return causes


def _setting_causes(integration: LeverIntegration) -> list[Cause]:
    """The settings that make the next hire fail, as the health view's warnings judge them."""
    base = current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL
    return [
        Cause(str(w.code), w.message, w.fix_label, base.rstrip("/") + w.fix_url)
        for w in setting_warnings(integration)
        if w.makes_hires_fail
    ]


def _render(template: str, **context) -> tuple[str, str]:
    return (
        render_template(f"mail/messages/{template}.txt", **context),
        render_template(f"mail/messages/{template}.html", **context),
    )


def send_cause_alerts(integration: LeverIntegration) -> int:
    """Queue one alert per current cause, unless that cause was sent today; return how many."""
    recipients = listed(integration.alert_emails)
    if not recipients:
        return 0
    day = today_in(current_app.config["TIMEZONE"]).isoformat()
    sent = 0
    for cause in current_causes(integration):
        subject = f"Lever integration {integration.subdomain}: hires are failing"
        if cause.code == "needs_reauthorisation":
            subject = f"Lever integration {integration.subdomain} needs re-authorisation"
        text, html = _render("cause", integration=integration, cause=cause)
        key = f"alert:{integration.id}:{cause.code}:{day}"
        mail = queue_mail(
            recipients,
            subject,
            text,
            html,
            kind=KIND_CAUSE,
            dedupe_key=key,
            integration_id=integration.id,
        )
        sent += mail is not None
    return sent


@dataclass(frozen=True)
class FailedHire:
    name: str
    messages: list[str]
    link: str


def _new_errors(integration: LeverIntegration, after_id: int | None) -> list[LogEntry]:
    # Errors already resolved (their hire completed) or acknowledged need nobody's attention.
    query = open_errors_query(integration.id)
    if after_id is None:
        query = query.where(LogEntry.created_at >= utcnow() - FIRST_DIGEST_LOOKBACK)
    else:
        query = query.where(LogEntry.id > after_id)
    return list(db.session.scalars(query.order_by(LogEntry.id)))


def _failed_hires(integration: LeverIntegration, errors: list[LogEntry]) -> list[FailedHire]:
    """Group Error rows by the hire (delivery) they belong to: one line per failed hire."""
    grouped: dict[object, list[LogEntry]] = {}
    for entry in errors:
        grouped.setdefault(entry.delivery_id or f"row-{entry.id}", []).append(entry)
    hires = []
    for entries in grouped.values():
        first = entries[0]
        person = next((e.person for e in entries if e.person is not None), None)
        name = person.full_name if person else (first.opportunity_id or "A Lever hire")
        search = first.opportunity_id or (person.person_code if person else "")
        args = {"q": search} if search else {"level": LEVEL_ERROR}
        link = link_for("integration.integration_log", integration_id=integration.id, **args)
        hires.append(FailedHire(name, [e.message for e in entries], link))
    return hires


def send_error_digest(integration: LeverIntegration) -> bool:
    """Queue a digest of the Error rows since the last one, at most once an hour."""
    recipients = listed(integration.alert_emails)
    if not recipients:
        return False
    last = db.session.execute(
        select(func.max(OutboxMail.created_at), func.max(OutboxMail.covers_log_id)).where(
            OutboxMail.integration_id == integration.id, OutboxMail.kind == KIND_DIGEST
        )
    ).one()
    if last[0] is not None and utcnow() - last[0] < DIGEST_EVERY:
        return False
    errors = _new_errors(integration, last[1])
    if not errors:
        return False
    hires = _failed_hires(integration, errors)
    text, html = _render(
        "digest",
        integration=integration,
        hires=hires[-DIGEST_MAX_HIRES:],
        more=max(len(hires) - DIGEST_MAX_HIRES, 0),
        log_link=link_for(
            "integration.integration_log",
            integration_id=integration.id,
            level=LEVEL_ERROR,
            open="1",
        ),
    )
    count = len(hires)
    subject = f"Lever integration {integration.subdomain}: {count} failed hire" + "s" * (count != 1)
    covers = errors[-1].id
    mail = queue_mail(
        recipients,
        subject,
        text,
        html,
        kind=KIND_DIGEST,
        # Two checkers racing over the same rows make the same key: only one digest is sent.
        dedupe_key=f"digest:{integration.id}:{covers}",
        integration_id=integration.id,
        covers_log_id=covers,
    )
    return mail is not None


def check_alerts() -> None:
    """Send what is due for every integration (run every minute by the periodic jobs)."""
    integrations = db.session.scalars(
        select(LeverIntegration).where(
            LeverIntegration.deleted_at.is_(None), LeverIntegration.alert_emails.is_not(None)
        )
    )
    for integration in integrations:
        try:
            send_cause_alerts(integration)
            send_error_digest(integration)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception(
                "alerts for integration %s failed; tried again next minute", integration.id
            )


def notify_new_task(task: Task) -> OutboxMail | None:
    """Tell the New Hire Administrator about their new New Starter task (flushes when they can
    be mailed)."""
    if not reachable(task.assignee):
        return None  # nothing to render
    person = task.person
    link = link_for("processes.task_show", task_id=task.id)
    text, html = _render("new_task", task=task, person=person, link=link)
    return mail_user(
        task.assignee,
        f"New Starter task: {person.full_name}",
        text,
        html,
        kind=KIND_TASK,
        dedupe_key=f"task:{task.id}",
    )


def notify_reassigned_task(task: Task, by: User, notification_id: int) -> OutboxMail | None:
    """Tell a task's new owner that it was reassigned to them (flushes when they can be
    mailed; one mail per reassign)."""
    if not reachable(task.assignee):
        return None  # nothing to render
    person = task.person
    link = link_for("processes.task_show", task_id=task.id)
    text, html = _render("reassigned_task", task=task, person=person, by=by, link=link)
    return mail_user(
        task.assignee,
        f"New Starter task reassigned to you: {person.full_name}",
        text,
        html,
        kind=KIND_REASSIGNED,
        dedupe_key=f"task:{task.id}:reassigned:{notification_id}",
    )
