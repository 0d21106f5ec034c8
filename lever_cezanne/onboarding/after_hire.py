"""What follows a hire once its records exist: its Documents, then the write-back note.

Neither ever fails the hire: every problem is a Warning row on the Log tab that says what
happened and what to do.
"""

from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import LeverIntegration, LogEntry, Person, WebhookDelivery
from lever_cezanne.onboarding import documents, write_back


class HireLog:
    """Write a delivery's rows about one person; a retry of the delivery never repeats a row."""

    def __init__(
        self,
        integration: LeverIntegration,
        delivery: WebhookDelivery,
        person: Person,
        final_attempt: bool = True,
    ):
        self.integration_id = integration.id
        self.delivery_id = delivery.id
        self.opportunity_id = delivery.opportunity_id
        self.person = person
        # On an earlier attempt a busy Lever is raised, so the job retries with its backoff;
        # only the last attempt turns it into a Warning row.
        self.final_attempt = final_attempt

    @property
    def who(self) -> str:
        return f"{self.person.full_name} (Person Code {self.person.person_code})"

    def write(self, level: str, message: str) -> None:
        """Add the row unless this delivery already wrote the same one; commit."""
        self._write(level, message, LogEntry.delivery_id == self.delivery_id)

    def write_for_person(self, level: str, message: str) -> None:
        """Add the row unless the person already has the same one, from any delivery; commit.

        For a row about one of the person's files and why (the message names both), so Lever
        sending the hire again does not repeat it."""
        self._write(level, message, LogEntry.person_id == self.person.id)

    def _write(self, level: str, message: str, already) -> None:
        written = db.session.scalar(
            select(LogEntry.id)
            .where(already, LogEntry.level == level, LogEntry.message == message)
            .limit(1)
        )
        if written is None:
            add_log_entry(
                self.integration_id,
                level,
                message,
                person_id=self.person.id,
                delivery_id=self.delivery_id,
                opportunity_id=self.opportunity_id,
            )
        db.session.commit()


def after_hire(
    client: LeverClient,
    integration: LeverIntegration,
    delivery: WebhookDelivery,
    person_id: int,
    offers: list,
    complete: bool,
    *,
    final_attempt: bool = True,
    new_person: bool = False,
) -> None:
    """Store the hire's Documents; when the hire is complete and the option is on, tell Lever.
    `new_person`: this run created the person, so none of their Documents is stored yet.

    The Documents are left for the caller's commit (the delivery's outcome, or the approval job's
    own), but committed here before a note is sent, and by fetch_documents when Lever is busy.

    Raises LeverTransientError when Lever is busy and this is not the job's last attempt: the
    hire's records are committed and every step here is idempotent, so the retry finishes it.
    """
    person = db.session.get(Person, person_id)
    if person is None:
        return
    hire_log = HireLog(integration, delivery, person, final_attempt)
    documents.fetch_documents(client, hire_log, offers, new_person=new_person)
    if complete and integration.write_back_notes:
        db.session.commit()  # the Documents first: the note's claim may roll back its own row
        write_back.send_note(client, integration, hire_log)
