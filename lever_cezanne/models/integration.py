"""Lever integrations, their webhook inbox and their Log tab."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import Company, User
from lever_cezanne.models.people import Person
from lever_cezanne.models.types import UTCDateTime

AUTH_NOT_AUTHORISED = "not_authorised"
AUTH_AUTHORISED = "authorised"
AUTH_NEEDS_REAUTHORISATION = "needs_reauthorisation"
HIRE_DATE_TODAY = "today"
HIRE_DATE_OFFER = "offer"


class DeliveryStatus(StrEnum):
    """Where a delivery is; only lever_cezanne.deliveries changes it."""

    RECEIVED = "received"  # stored, waiting to be queued
    QUEUED = "queued"  # in the job queue, or waiting for a retry
    PROCESSING = "processing"  # held by a job under a lease (claimed_until)
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    IGNORED = "ignored"  # not a Candidate Hired event
    HELD = "held"  # stored while the integration is paused; Resume processes it


class DeliverySource(StrEnum):
    """How the delivery reached us."""

    WEBHOOK = "webhook"
    SYNC = "sync"  # found by the catch-up sync (lever_cezanne.deliveries.sync)


class SyncKind(StrEnum):
    """What started a catch-up sync."""

    PERIODIC = "periodic"  # every 15 minutes
    MANUAL = "manual"  # Sync now
    BACKFILL = "backfill"  # Import hires made since [date]
    CLI = "cli"  # flask lever sync


class SyncStatus(StrEnum):
    """Where a sync run is; only lever_cezanne.deliveries.sync changes it."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


DELIVERY_UNFINISHED = (DeliveryStatus.RECEIVED, DeliveryStatus.QUEUED, DeliveryStatus.PROCESSING)

# Why an Error row was written, when a setting or the authorisation can fix it (for its fix button).
CAUSE_AUTHORISATION = "authorisation"
CAUSE_COMPANY = "company"
CAUSE_ADMINISTRATOR = "administrator"
CAUSE_PROCESS = "process"

LEVEL_INFORMATION = "information"
LEVEL_WARNING = "warning"
LEVEL_ERROR = "error"
LEVELS = {LEVEL_INFORMATION: "Information", LEVEL_WARNING: "Warning", LEVEL_ERROR: "Error"}


class LeverIntegration(db.Model):
    __tablename__ = "lever_integrations"
    __table_args__ = (
        Index(
            "uq_lever_integrations_subdomain_lower",
            func.lower(text("subdomain")),
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subdomain: Mapped[str] = mapped_column(String(63))
    # Secrets are Fernet ciphertexts (lever_cezanne.crypto); only the last four characters are kept
    # in clear so the Details form can show which token is stored.
    signature_token_encrypted: Mapped[str] = mapped_column(Text)
    signature_token_last4: Mapped[str] = mapped_column(String(4))
    admin_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    default_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    hire_date_source: Mapped[str] = mapped_column(String(10), default=HIRE_DATE_TODAY)
    # "Review hires before they are created": hires wait under Pending hires for HR.
    review_hires: Mapped[bool] = mapped_column(default=False, server_default=false())
    # "Tell Lever when the hire is in Cezanne HR": one note per hire on the opportunity.
    write_back_notes: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The OAuth scopes Lever granted (space-separated), to tell what a re-authorisation adds.
    granted_scopes: Mapped[str | None] = mapped_column(Text)
    # Paused: webhooks are still verified, stored and answered 200, but held unprocessed.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Field mapping: Cezanne HR target -> the offer identifiers read for it (only those the
    # Administrator changed; the rest use onboarding.job.DEFAULT_FIELD_MAP).
    field_map: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # Offer field identifiers seen in this account's offers, with Lever's label for each.
    offer_fields: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auth_status: Mapped[str] = mapped_column(String(30), default=AUTH_NOT_AUTHORISED)
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When Lever last gave us a refresh token: it expires after 90 days without use.
    refresh_token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When each kind of repeated webhook event last wrote a Log row (at most one a minute).
    last_bad_signature_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_stale_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ping_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who hears about problems: comma-separated addresses (see lever_cezanne.mail.addresses).
    alert_emails: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    admin_user: Mapped[User | None] = relationship(foreign_keys=[admin_user_id])
    default_company: Mapped[Company | None] = relationship()
    authorised_by: Mapped[User | None] = relationship(foreign_keys=[authorised_by_id])
    paused_by: Mapped[User | None] = relationship(foreign_keys=[paused_by_id])

    def __repr__(self) -> str:
        return f"<LeverIntegration {self.subdomain} {self.auth_status}>"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # Lever's token is single-use: a repeat of the same delivery is recognised here, atomically.
        UniqueConstraint("integration_id", "token_hash", name="uq_webhook_deliveries_token"),
        # Lever signs token + triggeredAt with no separator, so one signature also covers every
        # other split of the same characters: a second delivery with it is a forgery or a repeat.
        Index("uq_webhook_deliveries_signature", "integration_id", "signature_hash", unique=True),
        Index("ix_webhook_deliveries_status_updated", "status", "updated_at"),
        # The reconciler's scan: unfinished deliveries by the end of their lease.
        Index(
            "ix_webhook_deliveries_unfinished_claimed",
            "claimed_until",
            postgresql_where=text("status IN ('received', 'queued', 'processing')"),
            sqlite_where=text("status IN ('received', 'queued', 'processing')"),
        ),
        # The integration's header on every tab: its last webhook and its last sync find.
        Index(
            "ix_webhook_deliveries_integration_source_received",
            "integration_id",
            "source",
            "received_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"))
    # SHA-256 of Lever's token: enough to deduplicate without keeping a replayable value.
    token_hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 of Lever's signature; NULL for rows stored before it was kept.
    signature_hash: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    opportunity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_id: Mapped[str | None] = mapped_column(String(64))
    triggered_at: Mapped[int] = mapped_column(BigInteger)
    # What is kept of the body (event, triggeredAt, ids; never the token or signature). Deferred:
    # the Log tab loads it on demand, one delivery at a time.
    payload: Mapped[str] = mapped_column(Text, deferred=True)
    source: Mapped[str] = mapped_column(String(20), default=DeliverySource.WEBHOOK)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.RECEIVED)
    # While queued or processing: when the reconciler may take the delivery back. A running job
    # renews it; a killed one lets it lapse.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # Runs that stopped without finishing (their lease lapsed and the reconciler took the
    # delivery back): a killed worker, or a job that kills its worker every time.
    lapses: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    integration: Mapped[LeverIntegration] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.status}>"


# Every insert wakes the workers' dispatchers (lever_cezanne.deliveries.dispatcher), which move
# received deliveries into the job queue in batches; the receiver never talks to Redis.
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lever_deliveries', '');
    RETURN NULL;
END $$
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify()
"""
event.listen(
    WebhookDelivery.__table__,
    "after_create",
    DDL(NOTIFY_FUNCTION).execute_if(dialect="postgresql"),
)
event.listen(
    WebhookDelivery.__table__,
    "after_create",
    DDL(NOTIFY_TRIGGER).execute_if(dialect="postgresql"),
)


OPEN_ERROR = f"level = '{LEVEL_ERROR}' AND resolved_at IS NULL AND acknowledged_at IS NULL"


class LogEntry(db.Model):
    __tablename__ = "log_entries"
    __table_args__ = (
        Index("ix_log_entries_integration_id", "integration_id", "id"),
        Index("ix_log_entries_integration_level", "integration_id", "level", "id"),
        # The open Errors (counted on the Log tab, the health view and the alerts) are few
        # among the rows: counting them reads this small index alone, not the table.
        Index(
            "ix_log_entries_open_errors",
            "integration_id",
            postgresql_where=text(OPEN_ERROR),
            sqlite_where=text(OPEN_ERROR),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"))
    level: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))
    opportunity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cause: Mapped[str | None] = mapped_column(String(30))
    # An Error's lifecycle: resolved when its hire later completes, or acknowledged by hand.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_how: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person | None] = relationship()
    delivery: Mapped[WebhookDelivery | None] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<LogEntry {self.level} {self.message[:40]!r}>"

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)

    @property
    def is_open_error(self) -> bool:
        """An Error nobody has resolved or acknowledged yet."""
        return (
            self.level == LEVEL_ERROR and self.resolved_at is None and self.acknowledged_at is None
        )


class RetryRun(db.Model):
    """One press of Retry all failed: which hires it retried, so the page can show progress."""

    __tablename__ = "retry_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivery_ids: Mapped[str] = mapped_column(Text)  # JSON list of the retried deliveries
    total: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # failed hires whose cause is still there

    started_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RetryRun {self.id} integration={self.integration_id} total={self.total}>"


class SyncRun(db.Model):
    """One catch-up sync of an integration: the window it covered, what it found, and how it
    ended (its progress while it runs)."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_integration", "integration_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("lever_integrations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.RUNNING)
    # The window of archive times asked of Lever.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int | None] = mapped_column()  # hires Lever listed; None until listed
    seen: Mapped[int] = mapped_column(default=0)
    stored: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # already stored from a webhook or a sync
    message: Mapped[str | None] = mapped_column(Text)
    # While running, renewed by its worker (deliveries.sync_lease); a lapsed lease means the
    # worker died, and the run is marked failed.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    started_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SyncRun {self.id} {self.kind} {self.status}>"
