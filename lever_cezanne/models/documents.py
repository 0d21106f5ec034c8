"""A person's Documents: files fetched from Lever (the signed offer letter, the resume).

The bytes live in the database (PostgreSQL ``bytea``, SQLite blob), not on disk: Heroku's
filesystem is ephemeral. ``content`` is deferred so listing documents never loads them.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.people import Person
from lever_cezanne.models.types import UTCDateTime

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # 20 MB: larger files are not stored (a Warning row)


class DocumentSource(StrEnum):
    """Where a document came from."""

    OFFER_LETTER = "offer_letter"
    RESUME = "resume"


SOURCE_LABELS = {
    DocumentSource.OFFER_LETTER: "Signed offer letter",
    DocumentSource.RESUME: "Resume",
}


class Document(db.Model):
    __tablename__ = "documents"
    # The same file is never stored twice for a person, whichever run or source brings it: a
    # concurrent twin's insert skips a file stored first (ON CONFLICT DO NOTHING).
    __table_args__ = (UniqueConstraint("person_id", "sha256", name="uq_documents_person_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))
    # The Lever offer or resume the file belongs to, so a repeat need not download it again.
    lever_id: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.source} {self.name!r}>"

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)
