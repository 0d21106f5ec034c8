"""Pending hires: a hire held for HR's review before its records are created."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import User
from lever_cezanne.models.people import Person
from lever_cezanne.models.types import UTCDateTime


class PendingStatus(StrEnum):
    """A pending hire's state; processes.pending_hires is the only module that changes it."""

    PENDING = "pending"
    APPROVING = "approving"
    APPROVED = "approved"
    MERGED = "merged"
    REJECTED = "rejected"


class PendingHire(db.Model):
    __tablename__ = "pending_hires"
    # One pending hire per Lever opportunity: a webhook and a catch-up sync delivery (or two
    # webhooks) for the same hire hold it once, whichever commits first.
    __table_args__ = (
        Index(
            "uq_pending_hires_integration_opportunity",
            "integration_id",
            "opportunity_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"), index=True)
    # One pending hire per delivery, however often the job runs.
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), unique=True)
    opportunity_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    starter_json: Mapped[str] = mapped_column(Text)  # the mapped hire, as onboarding.held stores it
    # The hire with the reviewer's corrections, kept by the approval's claim: an interrupted
    # approval is offered again with them.
    reviewed_json: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PendingStatus.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Approved while the integration was paused: its Documents and note wait for Resume (Lever is
    # not called meanwhile); `complete` says whether the note is due (the approval made no Error).
    waits_for_resume: Mapped[bool] = mapped_column(default=False, server_default=false())
    complete: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship()
    person: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<PendingHire {self.id} {self.full_name!r} {self.status}>"
