"""Count the runs of a delivery that died (their lease lapsed), apart from its attempts

The reconciler gave a delivery up after 10 attempts, and attempts count every run: RQ's retries
after a busy Lever as much as runs whose worker was killed. A hire retried for a flaky Lever and
then taken back from a killed worker could be stopped with a false Error row. It now gives up
after 5 lapses: runs that stopped without finishing.

Revision ID: a4d2f8c61e07
Revises: 0c5e9a7d3b61
Create Date: 2026-12-03 22:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a4d2f8c61e07"
down_revision = "0c5e9a7d3b61"
branch_labels = None
depends_on = None


def upgrade():
    # A constant default: PostgreSQL adds the column without rewriting the table.
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.add_column(sa.Column("lapses", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.drop_column("lapses")
