"""give existing New Starter processes the "Confirm Job and Salary" default step

Processes whose checklist was seeded before the step existed (by 6b5fa38586c4) lack it, so a
hire's Job Title and Salary were never confirmed on their tasks. A process that still has the
other automatic default steps (Date of Birth, Gender, Employment Details) and has no Job and
Salary step gets it right after "Confirm Employment Details", as a new process would. Processes
pared down by an Administrator (an automatic default removed), or with a step of that name
already, are left as they are. Open tasks see the step at once, as when an Administrator adds
one; it passes by itself when the hire brought no Job Title or Salary.

Revision ID: 47985f169f80
Revises: d4a7c1e90b25
Create Date: 2026-12-03 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47985f169f80'
down_revision = 'd4a7c1e90b25'
branch_labels = None
depends_on = None

# Frozen copies of processes.defaults: the step to add and the defaults a process must still have.
STEP_NAME = "Confirm Job and Salary"
STEP_CHECK = "job_salary"
AFTER_CHECK = "employment"
OTHER_DEFAULT_CHECKS = {"date_of_birth", "gender", "employment"}

steps = sa.table(
    "process_steps",
    sa.column("id", sa.Integer),
    sa.column("definition_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("name", sa.String),
    sa.column("required", sa.Boolean),
    sa.column("check", sa.String),
)


def _wants_the_step(rows) -> bool:
    checks = {row.check for row in rows}
    names = {row.name.strip().casefold() for row in rows}
    return (
        OTHER_DEFAULT_CHECKS <= checks
        and STEP_CHECK not in checks
        and STEP_NAME.casefold() not in names
    )


def upgrade():
    connection = op.get_bind()
    by_definition = {}
    for row in connection.execute(
        sa.select(steps.c.definition_id, steps.c.position, steps.c.name, steps.c.check)
        .order_by(steps.c.definition_id, steps.c.position, steps.c.id)
    ):
        by_definition.setdefault(row.definition_id, []).append(row)
    for definition_id, rows in by_definition.items():
        if not _wants_the_step(rows):
            continue
        anchor = next(row.position for row in rows if row.check == AFTER_CHECK)
        connection.execute(
            steps.update()
            .where(steps.c.definition_id == definition_id, steps.c.position > anchor)
            .values(position=steps.c.position + 1)
        )
        connection.execute(
            steps.insert().values(
                definition_id=definition_id, position=anchor + 1, name=STEP_NAME,
                required=True, check=STEP_CHECK,
            )
        )


def downgrade():
    # Nothing to undo: the schema is unchanged and the step is valid data at the earlier
    # revision too; deleting it could take an Administrator's ticks (or own step) with it.
    pass
