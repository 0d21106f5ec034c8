"""Deliveries: NOTIFY lever_deliveries on insert, to wake the dispatcher

Revision ID: c8e52f7a1d03
Revises: b3d41e6f0a12
Create Date: 2026-12-03 05:00:00

"""
from alembic import op


revision = "c8e52f7a1d03"
down_revision = "b3d41e6f0a12"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no NOTIFY: the dispatcher polls
    op.execute(
        """
        CREATE OR REPLACE FUNCTION webhook_deliveries_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('lever_deliveries', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify()
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS webhook_deliveries_notify ON webhook_deliveries")
    op.execute("DROP FUNCTION IF EXISTS webhook_deliveries_notify()")
