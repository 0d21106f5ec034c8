"""One pending hire per Lever opportunity (integration, opportunity), not per delivery

A webhook and a catch-up sync delivery for the same hire (or two webhooks) could each hold it.
Twins still waiting for review are removed before the unique index is built: the earliest
(or the one HR already decided) is kept, and it holds the same hire.

Revision ID: a3f6c2d81e47
Revises: 566c919f7f3b
Create Date: 2026-12-03 07:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f6c2d81e47'
down_revision = '566c919f7f3b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        sa.text(
            "DELETE FROM pending_hires WHERE status = 'pending' AND EXISTS ("
            " SELECT 1 FROM pending_hires AS kept"
            " WHERE kept.integration_id = pending_hires.integration_id"
            " AND kept.opportunity_id = pending_hires.opportunity_id"
            " AND (kept.status != 'pending' OR kept.id < pending_hires.id))"
        )
    )
    op.create_index(
        'uq_pending_hires_integration_opportunity',
        'pending_hires',
        ['integration_id', 'opportunity_id'],
        unique=True,
    )


def downgrade():
    op.drop_index('uq_pending_hires_integration_opportunity', table_name='pending_hires')
