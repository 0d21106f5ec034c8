"""Send one mail through the configured SMTP server (Python's smtplib, with a timeout)."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from lever_cezanne.models.mail import OutboxMail


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """Return the mail as plain text with a simple HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.recipient_list)
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def send_message(config, message: EmailMessage) -> None:
    """Hand the message to MAIL_SERVER; raises smtplib.SMTPException or OSError on failure."""
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as server:
        if config["MAIL_USE_TLS"]:
            server.starttls()
        if config["MAIL_USERNAME"]:
            server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        server.send_message(message)
