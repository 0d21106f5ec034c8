"""Catch-up sync: sync_runs (the window, progress and outcome of each sync)

Revision ID: d4a7c1e90b25
Revises: d4e7a9c2b815
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

import lever_cezanne.models.types

revision = "d4a7c1e90b25"
down_revision = "d4e7a9c2b815"
branch_labels = None
depends_on = None


def upgrade():
    utc = lever_cezanne.models.types.UTCDateTime(timezone=True)
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("since", utc, nullable=False),
        sa.Column("until", utc, nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("finished_at", utc, nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["integration_id"], ["lever_integrations.id"]),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_runs_integration", "sync_runs", ["integration_id", "id"])


def downgrade():
    op.drop_index("ix_sync_runs_integration", table_name="sync_runs")
    op.drop_table("sync_runs")
