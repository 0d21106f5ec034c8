"""Indexes for the integration's header: the open Errors, and the last webhook and sync find

Every tab of an integration counts its open Errors and reads when its last webhook arrived and
when the catch-up sync last found a hire. With a million Log rows and a hundred thousand
deliveries those were scans of 20-120 ms each; these indexes answer them from a few pages.

Revision ID: 0c5e9a7d3b61
Revises: f3c9e1b7a2d4
Create Date: 2026-12-03 15:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0c5e9a7d3b61"
down_revision = "f3c9e1b7a2d4"
branch_labels = None
depends_on = None

OPEN_ERROR = "level = 'error' AND resolved_at IS NULL AND acknowledged_at IS NULL"


def upgrade():
    op.create_index(
        "ix_log_entries_open_errors",
        "log_entries",
        ["integration_id"],
        unique=False,
        postgresql_where=sa.text(OPEN_ERROR),
        sqlite_where=sa.text(OPEN_ERROR),
    )
    op.create_index(
        "ix_webhook_deliveries_integration_source_received",
        "webhook_deliveries",
        ["integration_id", "source", "received_at"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        "ix_webhook_deliveries_integration_source_received", table_name="webhook_deliveries"
    )
    op.drop_index("ix_log_entries_open_errors", table_name="log_entries")
