"""unique user e-mail, in any case

Revision ID: 6127fda1df82
Revises: 8b3f0c2d6e51
Create Date: 2026-12-03 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6127fda1df82'
down_revision = '8b3f0c2d6e51'
branch_labels = None
depends_on = None


def _refuse_existing_duplicates():
    """Stop with the users to fix rather than fail on the index or change anyone's e-mail."""
    rows = op.get_bind().execute(sa.text(
        "SELECT lower(email) AS address, string_agg(username, ', ') AS usernames "
        "FROM users WHERE email IS NOT NULL GROUP BY lower(email) HAVING count(*) > 1"
        if op.get_bind().dialect.name == "postgresql" else
        "SELECT lower(email) AS address, group_concat(username, ', ') AS usernames "
        "FROM users WHERE email IS NOT NULL GROUP BY lower(email) HAVING count(*) > 1"
    )).all()
    if rows:
        clashes = "; ".join(f"{row.address}: {row.usernames}" for row in rows)
        raise RuntimeError(
            "Some users share an e-mail address, which is no longer allowed. Give each of them "
            f"their own (Administration > Users > Edit), then run flask db upgrade again: {clashes}"
        )


def upgrade():
    _refuse_existing_duplicates()
    with op.batch_alter_table('users', schema=None, recreate="never") as batch_op:
        batch_op.drop_index('ix_users_email_lower', postgresql_ops={'email_lower': 'text_pattern_ops'})
        batch_op.create_index('uq_users_email_lower', [sa.literal_column('lower(email)').label('email_lower')], unique=True, postgresql_ops={'email_lower': 'text_pattern_ops'})


def downgrade():
    with op.batch_alter_table('users', schema=None, recreate="never") as batch_op:
        batch_op.drop_index('uq_users_email_lower', postgresql_ops={'email_lower': 'text_pattern_ops'})
        batch_op.create_index('ix_users_email_lower', [sa.literal_column('lower(email)').label('email_lower')], unique=False, postgresql_ops={'email_lower': 'text_pattern_ops'})
