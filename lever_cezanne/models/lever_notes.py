"""Notes this app writes to Lever: one per hire, claimed before it is sent.

Lever has no idempotency key, so a retried POST would add a second note. The unique
(integration, opportunity) row is claimed in its own committed transaction BEFORE the POST: a
concurrent twin's claim fails on the constraint and sends nothing. ``lever_cezanne.onboarding.
write_back`` owns ``status``.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.types import UTCDateTime


class NoteStatus(StrEnum):
    """Where a write-back note is; only onboarding.write_back changes it."""

    SENDING = "sending"  # claimed; the POST is under way (or the sender stopped mid-way)
    SENT = "sent"
    FAILED = "failed"  # Lever refused it or could not be reached: a later run may claim it again


class LeverNote(db.Model):
    __tablename__ = "lever_notes"
    __table_args__ = (
        UniqueConstraint("integration_id", "opportunity_id", name="uq_lever_notes_opportunity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"))
    opportunity_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=NoteStatus.SENDING)
    text: Mapped[str] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lever_note_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<LeverNote {self.opportunity_id} {self.status}>"
