"""The data model, one module per aggregate."""

from lever_cezanne.models.integration import LeverIntegration, LogEntry, WebhookDelivery
from lever_cezanne.models.org import Company, User
from lever_cezanne.models.people import Employment, Gender, Person, PersonChange
from lever_cezanne.models.processes import ProcessDefinition, Task

__all__ = [
    "Company",
    "Employment",
    "Gender",
    "LeverIntegration",
    "LogEntry",
    "Person",
    "PersonChange",
    "ProcessDefinition",
    "Task",
    "User",
    "WebhookDelivery",
]
