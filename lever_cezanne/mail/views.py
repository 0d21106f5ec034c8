"""The Outbox page: every e-mail the app queued, newest first, and whether it went out."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from lever_cezanne.core.pagination import positive_id
from lever_cezanne.extensions import db
from lever_cezanne.mail import bp, outbox
from lever_cezanne.models.mail import MailStatus, OutboxMail

PAGE_SIZE = 50
STATUS_BADGES = {
    MailStatus.QUEUED: ("Sending", "badge-info"),
    MailStatus.SENT: ("Sent", "badge-ok"),
    MailStatus.LOGGED: ("Not sent: no MAIL_SERVER", "badge-muted"),
    MailStatus.FAILED: ("Failed", "badge-error"),
}


@bp.route("/")
def outbox_index():
    """List the e-mails, newest first, a page at a time."""
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(PAGE_SIZE + 1)
    before = positive_id(request.args.get("before"))
    if before:
        query = query.where(OutboxMail.id < before)
    mails = list(db.session.scalars(query))
    older = mails[PAGE_SIZE - 1].id if len(mails) > PAGE_SIZE else None
    return render_template(
        "mail/outbox/index.html",
        mails=mails[:PAGE_SIZE],
        older=older,
        badges=STATUS_BADGES,
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.route("/<int:mail_id>")
def outbox_show(mail_id: int):
    """Show one e-mail as its recipients read it: the text, and the HTML in a sandboxed frame."""
    mail = db.get_or_404(OutboxMail, mail_id)
    return render_template("mail/outbox/show.html", mail=mail, badges=STATUS_BADGES)


# The e-mail's own HTML, for the frame on its Outbox page: inline styles (as e-mail needs) and
# nothing else may run or load, and only our own pages may frame it.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


@bp.route("/<int:mail_id>/html")
def outbox_html(mail_id: int):
    """Serve an e-mail's HTML part, locked down, for the preview frame."""
    mail = db.get_or_404(OutboxMail, mail_id)
    response = Response(mail.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/<int:mail_id>/retry")
def outbox_retry(mail_id: int):
    """Send a failed e-mail again (after the SMTP settings or the address were fixed)."""
    mail = db.get_or_404(OutboxMail, mail_id)
    back = redirect(url_for(".outbox_show", mail_id=mail.id))
    if not FlaskForm().validate_on_submit():
        flash("The page had expired. Press Send again once more.", "error")
        return back
    if mail.status != MailStatus.FAILED:
        flash("Only an e-mail that failed can be sent again.", "info")
        return back
    outbox.retry_failed(mail)
    db.session.commit()
    flash("Sending again. This page shows the outcome in a moment.", "success")
    return back
