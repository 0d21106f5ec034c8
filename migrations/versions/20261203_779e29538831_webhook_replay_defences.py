"""webhook replay defences: signature hash, ping and stale-delivery log throttles

Revision ID: 779e29538831
Revises: 5b1e0c9d4a21
Create Date: 2026-12-03 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import lever_cezanne.models.types


# revision identifiers, used by Alembic.
revision = '779e29538831'
down_revision = '5b1e0c9d4a21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lever_integrations', schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column('last_stale_logged_at', lever_cezanne.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_ping_logged_at', lever_cezanne.models.types.UTCDateTime(timezone=True), nullable=True))

    # Rows stored before keep NULL: NULLs never conflict, and their tokens still deduplicate.
    with op.batch_alter_table('webhook_deliveries', schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column('signature_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('uq_webhook_deliveries_signature', ['integration_id', 'signature_hash'], unique=True)


def downgrade():
    # recreate="never": SQLite drops the columns in place; a copied table would lose the
    # expression index on lever_integrations.
    with op.batch_alter_table('webhook_deliveries', schema=None, recreate="never") as batch_op:
        batch_op.drop_index('uq_webhook_deliveries_signature')
        batch_op.drop_column('signature_hash')

    with op.batch_alter_table('lever_integrations', schema=None, recreate="never") as batch_op:
        batch_op.drop_column('last_ping_logged_at')
        batch_op.drop_column('last_stale_logged_at')
