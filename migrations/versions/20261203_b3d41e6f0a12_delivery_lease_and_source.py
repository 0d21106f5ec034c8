"""Deliveries: source, lease (claimed_until) and the reconciler's index

Revision ID: b3d41e6f0a12
Revises: 36b6cfd6f13c
Create Date: 2026-12-03 04:20:00

"""
from alembic import op
import sqlalchemy as sa

import lever_cezanne.models.types


revision = "b3d41e6f0a12"
down_revision = "36b6cfd6f13c"
branch_labels = None
depends_on = None

UNFINISHED = "status IN ('received', 'queued', 'processing')"


def upgrade():
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="webhook")
        )
        batch_op.add_column(
            sa.Column(
                "claimed_until",
                lever_cezanne.models.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    # Unfinished deliveries keep no lease: the reconciler takes them back (running twice is
    # harmless), so nothing is stranded by the upgrade.
    op.create_index(
        "ix_webhook_deliveries_unfinished_claimed",
        "webhook_deliveries",
        ["claimed_until"],
        unique=False,
        postgresql_where=sa.text(UNFINISHED),
        sqlite_where=sa.text(UNFINISHED),
    )


def downgrade():
    op.drop_index("ix_webhook_deliveries_unfinished_claimed", table_name="webhook_deliveries")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("source")
