"""Restore the case-insensitive unique subdomain index that SQLite table rebuilds dropped

On SQLite, `batch_alter_table` rebuilds a table without its expression indexes, so revisions that
altered `lever_integrations` silently dropped `uq_lever_integrations_subdomain_lower` there
(PostgreSQL alters in place and kept it). Recreate it where it is missing.

Revision ID: f3c9e1b7a2d4
Revises: b81d4e6f2a93
Create Date: 2026-12-03 08:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f3c9e1b7a2d4"
down_revision = "b81d4e6f2a93"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_lever_integrations_subdomain_lower "
            "ON lever_integrations (lower(subdomain)) WHERE deleted_at IS NULL"
        )


def downgrade():
    # The index belongs to the initial schema: it stays.
    pass
