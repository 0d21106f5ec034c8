"""The data model, one module per aggregate."""

from lever_cezanne.models.documents import Document
from lever_cezanne.models.integration import (
    LeverIntegration,
    LogEntry,
    RetryRun,
    SyncRun,
    WebhookDelivery,
)
from lever_cezanne.models.lever_notes import LeverNote
from lever_cezanne.models.mail import OutboxMail
from lever_cezanne.models.org import Company, Department, Location, User
from lever_cezanne.models.pending import PendingHire
from lever_cezanne.models.people import Employment, Gender, Person, PersonChange, Salary
from lever_cezanne.models.processes import (
    Notification,
    ProcessDefinition,
    ProcessStep,
    Task,
    TaskStepTick,
)
from lever_cezanne.models.search_words import CompanyWord, UserWord

__all__ = [
    "Company",
    "CompanyWord",
    "Department",
    "Document",
    "Employment",
    "Gender",
    "LeverIntegration",
    "LeverNote",
    "Location",
    "LogEntry",
    "Notification",
    "OutboxMail",
    "PendingHire",
    "Person",
    "PersonChange",
    "ProcessDefinition",
    "ProcessStep",
    "RetryRun",
    "Salary",
    "SyncRun",
    "Task",
    "TaskStepTick",
    "User",
    "UserWord",
    "WebhookDelivery",
]
