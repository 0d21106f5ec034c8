"""picker word tables: company_words and user_words, filled from the existing rows

Revision ID: 5e1d2a7b9c40
Revises: a17fdf7827b7
Create Date: 2026-12-03 04:30:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "5e1d2a7b9c40"
down_revision = "a17fdf7827b7"
branch_labels = None
depends_on = None

WORD_MAX = 100
# The searched columns of each table, as lever_cezanne.core.word_search registers them.
TABLES = {
    "company_words": ("companies", "company_id", ("code", "name")),
    "user_words": ("users", "user_id", ("display_name", "username", "email")),
}


def _words(*values):
    # A copy of lever_cezanne.core.words.words_of as it was when this migration was written.
    seen = {}
    for value in values:
        folded = unicodedata.normalize("NFKD", (value or "").casefold())
        plain = "".join(c for c in folded if not unicodedata.combining(c))
        for word in re.findall(r"\w+", plain):
            seen.setdefault(word[:WORD_MAX], None)
    return list(seen)


def _fill(word_table, owner_table, owner, columns):
    connection = op.get_bind()
    table = sa.table(word_table, sa.column(owner), sa.column("word"))
    rows = connection.execute(
        sa.text(f"SELECT id, {', '.join(columns)} FROM {owner_table}")  # noqa: S608 - constants
    ).all()
    values = [{owner: row[0], "word": word} for row in rows for word in _words(*row[1:])]
    if values:
        op.bulk_insert(table, values)


def upgrade():
    for word_table, (owner_table, owner, columns) in TABLES.items():
        op.create_table(
            word_table,
            sa.Column(owner, sa.Integer(), nullable=False),
            sa.Column("word", sa.String(length=WORD_MAX), nullable=False),
            sa.ForeignKeyConstraint(
                [owner],
                [f"{owner_table}.id"],
                name=op.f(f"fk_{word_table}_{owner}_{owner_table}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(owner, "word", name=op.f(f"pk_{word_table}")),
        )
        with op.batch_alter_table(word_table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{word_table}_word",
                ["word"],
                unique=False,
                postgresql_ops={"word": "text_pattern_ops"},
            )
        _fill(word_table, owner_table, owner, columns)


def downgrade():
    for word_table in TABLES:
        with op.batch_alter_table(word_table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{word_table}_word", postgresql_ops={"word": "text_pattern_ops"})
        op.drop_table(word_table)
