"""picker word tables: index (word, owner) so a word many rows share is read in order, unsorted

Revision ID: 8b3f0c2d6e51
Revises: 779e29538831
Create Date: 2026-12-03 04:40:00

"""

from alembic import op

revision = "8b3f0c2d6e51"
down_revision = "779e29538831"
branch_labels = None
depends_on = None

TABLES = {"company_words": "company_id", "user_words": "user_id"}
OPS = {"word": "text_pattern_ops"}


def upgrade():
    for table, owner in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_word", postgresql_ops=OPS)
            batch_op.create_index(
                f"ix_{table}_word_{owner}", ["word", owner], unique=False, postgresql_ops=OPS
            )


def downgrade():
    for table, owner in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_word_{owner}", postgresql_ops=OPS)
            batch_op.create_index(f"ix_{table}_word", ["word"], unique=False, postgresql_ops=OPS)
