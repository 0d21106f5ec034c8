"""people.name_words: folded name words for the accent-insensitive Log search

Revision ID: 5b1e0c9d4a21
Revises: 5e1d2a7b9c40
Create Date: 2026-12-03 04:20:00

"""
from alembic import op
import sqlalchemy as sa

from lever_cezanne.core.words import words_of


# revision identifiers, used by Alembic.
revision = '5b1e0c9d4a21'
down_revision = '5e1d2a7b9c40'
branch_labels = None
depends_on = None

NAME_COLUMNS = ("first_name", "middle_name", "surname", "known_as", "full_name", "legal_name")


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_words', sa.String(length=600), server_default=' ', nullable=False)
        )
    # Existing people get their words now; new writes keep them through the model.
    people = sa.table('people', sa.column('id'), sa.column('name_words'),
                      *(sa.column(name) for name in NAME_COLUMNS))
    bind = op.get_bind()
    rows = bind.execute(sa.select(people.c.id, *(people.c[name] for name in NAME_COLUMNS)))
    for row in rows.all():
        bind.execute(
            people.update()
            .where(people.c.id == row[0])
            .values(name_words=f" {' '.join(words_of(*row[1:]))} "[:600])
        )


def downgrade():
    # recreate="never": a copied SQLite table would lose the expression indexes on people.
    with op.batch_alter_table('people', schema=None, recreate="never") as batch_op:
        batch_op.drop_column('name_words')
