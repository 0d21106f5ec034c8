"""Gender codes are unique whatever their case, as department and location codes are

Administrators now add genders: "f" beside "F" would be two items of the same code. The unique
constraint on the code becomes a unique index on lower(code), which the Genders screen's
refusal names.

Revision ID: d7b1e4a9c3f2
Revises: c2f9a6d0e4b8
Create Date: 2026-12-04 12:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d7b1e4a9c3f2"
down_revision = "c2f9a6d0e4b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("genders") as batch_op:
        batch_op.drop_constraint("uq_genders_code", type_="unique")
    # Outside the batch: SQLite's table copy cannot carry an index on an expression.
    op.create_index(
        "uq_genders_code_lower",
        "genders",
        [sa.literal_column("lower(code)").label("code_lower")],
        unique=True,
        postgresql_ops={"code_lower": "text_pattern_ops"},
    )


def downgrade():
    op.drop_index("uq_genders_code_lower", table_name="genders")
    with op.batch_alter_table("genders") as batch_op:
        batch_op.create_unique_constraint("uq_genders_code", ["code"])
