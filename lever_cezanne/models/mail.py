"""E-mails the app sends: the outbox, kept so they can be retried, shown and rate-limited."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.types import UTCDateTime


class MailStatus(StrEnum):
    """Changed only by lever_cezanne.mail.outbox."""

    QUEUED = "queued"  # waiting for the send job (or its retry)
    SENT = "sent"  # the SMTP server accepted it
    LOGGED = "logged"  # no MAIL_SERVER: written to the log and shown on the Outbox page
    FAILED = "failed"  # every attempt failed; last_error says why


class OutboxMail(db.Model):
    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # One mail per key, ever: "alert:<integration>:<cause>:<day>" sends a cause once a day.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("lever_integrations.id"), index=True
    )
    # An error digest covers the integration's Error rows up to this Log row id.
    covers_log_id: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.status}>"

    @property
    def recipient_list(self) -> list[str]:
        return [address for address in self.recipients.split(",") if address]
