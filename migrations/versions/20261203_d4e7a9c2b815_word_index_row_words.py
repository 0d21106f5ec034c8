"""picker word tables: row_words (every word of the row) carried in the word index

Revision ID: d4e7a9c2b815
Revises: c8e52f7a1d03
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4e7a9c2b815"
down_revision = "c8e52f7a1d03"
branch_labels = None
depends_on = None

TABLES = {"company_words": "company_id", "user_words": "user_id"}
OPS = {"word": "text_pattern_ops"}
# lever_cezanne.models.search_words.ROW_WORDS_MAX_BYTES when this migration was written.
ROW_WORDS_MAX_BYTES = 2000


def _fill(table: str, owner: str) -> None:
    """Set row_words from the word rows already there: " " before each word, NULL if too long."""
    postgres = op.get_bind().dialect.name == "postgresql"
    joined = "string_agg(word, ' ')" if postgres else "group_concat(word, ' ')"
    size = "octet_length(row_words)" if postgres else "length(CAST(row_words AS BLOB))"
    # Constant table and column names only.
    op.execute(
        f"UPDATE {table} SET row_words = joined.row_words FROM "  # noqa: S608
        f"(SELECT {owner}, ' ' || {joined} AS row_words FROM {table} GROUP BY {owner}) AS joined "
        f"WHERE joined.{owner} = {table}.{owner}"
    )
    op.execute(
        f"UPDATE {table} SET row_words = NULL WHERE {size} > {ROW_WORDS_MAX_BYTES}"  # noqa: S608
    )


def upgrade():
    for table, owner in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_word_{owner}", postgresql_ops=OPS)
            batch_op.add_column(sa.Column("row_words", sa.Text(), nullable=True))
        _fill(table, owner)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_word_{owner}",
                ["word", owner],
                unique=False,
                postgresql_ops=OPS,
                postgresql_include=["row_words"],
            )


def downgrade():
    for table, owner in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_word_{owner}", postgresql_ops=OPS)
            batch_op.drop_column("row_words")
            batch_op.create_index(
                f"ix_{table}_word_{owner}", ["word", owner], unique=False, postgresql_ops=OPS
            )
