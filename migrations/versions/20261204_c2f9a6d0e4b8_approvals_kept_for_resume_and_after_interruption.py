"""Approvals keep what they need: their Documents and note for Resume, their corrections

The job that fetches an approved hire's Documents and sends its note called Lever even while the
integration was paused. It now leaves them for Resume, marked on the pending hire with whether
the note is due. And an approval interrupted by a server stop lost the reviewer's corrections:
the claim now keeps them (reviewed_json), and the page offers them again.

Revision ID: c2f9a6d0e4b8
Revises: a4d2f8c61e07
Create Date: 2026-12-04 11:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c2f9a6d0e4b8"
down_revision = "a4d2f8c61e07"
branch_labels = None
depends_on = None


def upgrade():
    # A constant default: PostgreSQL adds the column without rewriting the table.
    with op.batch_alter_table("pending_hires") as batch_op:
        batch_op.add_column(
            sa.Column("waits_for_resume", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("complete", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_json", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("pending_hires") as batch_op:
        batch_op.drop_column("reviewed_json")
        batch_op.drop_column("complete")
        batch_op.drop_column("waits_for_resume")
