"""outbox mails and alert e-mails

Revision ID: e21c1e44b53f
Revises: 31c381aa1754
Create Date: 2026-12-03 04:21:27.484005

"""
from alembic import op
import sqlalchemy as sa

import lever_cezanne.models.types


# revision identifiers, used by Alembic.
revision = 'e21c1e44b53f'
down_revision = '31c381aa1754'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('integration_id', sa.Integer(), nullable=True),
    sa.Column('covers_log_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', lever_cezanne.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', lever_cezanne.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['integration_id'], ['lever_integrations.id'], name=op.f('fk_outbox_mails_integration_id_lever_integrations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_mails_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_mails_dedupe_key'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mails_integration_id'), ['integration_id'], unique=False)
        batch_op.create_index('ix_outbox_mails_status_created', ['status', 'created_at'], unique=False)

    with op.batch_alter_table('lever_integrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_emails', sa.Text(), nullable=True))



def downgrade():
    # recreate="never": a copied SQLite table would lose the expression index on the subdomain.
    with op.batch_alter_table('lever_integrations', schema=None, recreate="never") as batch_op:
        batch_op.drop_column('alert_emails')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mails_status_created')
        batch_op.drop_index(batch_op.f('ix_outbox_mails_integration_id'))

    op.drop_table('outbox_mails')
