"""A running catch-up sync's lease (sync_runs.lease_until), renewed while its worker runs

A run still running from before this revision has no lease: it is treated as abandoned (its
worker was stopped by the upgrade) and the next sync marks it failed.

Revision ID: b81d4e6f2a93
Revises: a3f6c2d81e47
Create Date: 2026-12-03 07:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import lever_cezanne.models.types


# revision identifiers, used by Alembic.
revision = 'b81d4e6f2a93'
down_revision = 'a3f6c2d81e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'lease_until', lever_cezanne.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
