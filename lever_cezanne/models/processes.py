"""New Starter process definitions, their checklist steps, tasks, ticks and notifications."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import User
from lever_cezanne.models.people import Person
from lever_cezanne.models.types import UTCDateTime

WITH_ABSENCES = "with_absences"
WITHOUT_ABSENCES = "without_absences"
PROCESS_TYPES = {
    WITH_ABSENCES: "Enter a New Starter (With Absences)",
    WITHOUT_ABSENCES: "Enter a New Starter (Without Absences)",
}
TASK_OPEN = "open"
TASK_COMPLETED = "completed"


class ProcessDefinition(db.Model):
    __tablename__ = "process_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ProcessDefinition {self.name!r} {self.type}>"

    @property
    def type_label(self) -> str:
        return PROCESS_TYPES.get(self.type, self.type)


class ProcessStep(db.Model):
    """One ordered step of a process definition's New Starter checklist."""

    __tablename__ = "process_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=True)
    # The automatic check that verifies the step from the data, if any (see processes.checks).
    check: Mapped[str | None] = mapped_column(String(40))

    def __repr__(self) -> str:
        return f"<ProcessStep {self.position} {self.name!r}>"


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        # At most one open New Starter task per person, however often Lever re-triggers.
        Index(
            "uq_tasks_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_tasks_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=TASK_OPEN)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set only when an Administrator completed the task although it was not ready.
    completed_anyway_reason: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)

    definition: Mapped[ProcessDefinition] = relationship()
    person: Mapped[Person] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    def __repr__(self) -> str:
        return f"<Task {self.id} person={self.person_id} {self.status}>"

    @property
    def is_open(self) -> bool:
        return self.status == TASK_OPEN


class TaskStepTick(db.Model):
    """A person ticked one step of a task's checklist."""

    __tablename__ = "task_step_ticks"
    __table_args__ = (UniqueConstraint("task_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    step_id: Mapped[int] = mapped_column(ForeignKey("process_steps.id"), index=True)
    ticked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticked_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TaskStepTick task={self.task_id} step={self.step_id}>"


class Notification(db.Model):
    """An in-app message for one user, e.g. a task was assigned to them."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Notification user={self.user_id} {self.message!r}>"
