"""Migrations: one head, upgrade from empty, downgrade to base, no drift from the models."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tests.forked_cli import run_flask

ROOT = Path(__file__).resolve().parents[2]


def _flask(database_url, *args):
    """`flask db ARGS` against database_url, in a process of its own (forked, see forked_cli)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEVER_SANDBOX_ENABLED": "0",
        "APP_ENV": "development",
    }
    return run_flask(["--app", "app", "db", *args], env, cwd=str(ROOT))


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the kind the suite runs on."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"lc_mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_only_flask_db_loads_flask_migrate_and_alembic(tmp_path):
    """A web or worker process builds the app without them (about a fifth of its import time)."""
    loaded = (
        "import sys; from lever_cezanne import create_app; create_app(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'flask_migrate'}))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "APP_ENV": "development",
    }
    env["LEVER_SANDBOX_ENABLED"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", loaded],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", result.stdout


def test_single_head():
    result = _flask("sqlite://", "heads")
    assert result.returncode == 0, result.stderr
    heads = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(heads) == 1, heads


def test_upgrade_downgrade_upgrade_and_no_drift(empty_database):
    for args in (["upgrade"], ["check"], ["downgrade", "base"], ["upgrade"], ["check"]):
        result = _flask(empty_database, *args)
        assert result.returncode == 0, f"flask db {' '.join(args)}: {result.stderr[-2000:]}"
    engine = create_engine(empty_database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        genders = conn.execute(text("SELECT code, description FROM genders")).all()
    engine.dispose()
    assert ("U", "Not Known") in [tuple(g) for g in genders]


def _rows(database_url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = [tuple(row) for row in result] if result.returns_rows else []
    engine.dispose()
    return rows


def _index_names(database_url: str, table: str | None = "users") -> set[str]:
    """Index names read from the catalogue (SQLAlchemy's reflection skips expression indexes
    on SQLite): of `table`, or of every table."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    if engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
        query += " AND tbl_name = :table" if table else ""
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        query += " AND tablename = :table" if table else ""
    with engine.connect() as conn:
        names = set(conn.execute(text(query), {"table": table} if table else {}).scalars())
    engine.dispose()
    return names


UNIQUE_EMAIL = "6127fda1df82"  # "unique user e-mail, in any case"
BEFORE_UNIQUE_EMAIL = "8b3f0c2d6e51"


def test_unique_e_mail_migration_refuses_duplicates_and_changes_nothing(empty_database):
    result = _flask(empty_database, "upgrade", BEFORE_UNIQUE_EMAIL)
    assert result.returncode == 0, result.stderr[-2000:]
    for username, email in [("ann", "Ann@Example.com"), ("ann2", "ann@example.COM"),
                            ("bob", "bob@example.com"), ("cy", None), ("dee", None)]:  # fmt: skip
        _rows(
            empty_database,
            "INSERT INTO users (username, display_name, email, password_hash, role, active, "
            "session_version, created_at) VALUES (:u, :u, :e, 'x', 'administrator', true, 1, "
            "CURRENT_TIMESTAMP)",
            u=username,
            e=email,
        )
    users = _rows(empty_database, "SELECT username, email FROM users ORDER BY username")

    result = _flask(empty_database, "upgrade", UNIQUE_EMAIL)
    assert result.returncode != 0
    # One clear line naming the clash and what to do, not a unique-violation traceback.
    assert (
        "Some users share an e-mail address, which is no longer allowed. Give each of them their "
        "own (Administration > Users > Edit), then run flask db upgrade again: "
        "ann@example.com: ann, ann2" in result.stderr
    ), result.stderr[-2000:]
    assert "UniqueViolation" not in result.stderr
    assert _rows(empty_database, "SELECT version_num FROM alembic_version") == [
        (BEFORE_UNIQUE_EMAIL,)
    ]
    assert _rows(empty_database, "SELECT username, email FROM users ORDER BY username") == users
    indexes = _index_names(empty_database)
    assert "ix_users_email_lower" in indexes and "uq_users_email_lower" not in indexes

    # Fixed as the message says, the upgrade goes through (users without an e-mail never clash).
    _rows(empty_database, "UPDATE users SET email = 'ann.two@example.com' WHERE username = 'ann2'")
    result = _flask(empty_database, "upgrade", UNIQUE_EMAIL)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "uq_users_email_lower" in _index_names(empty_database)


JOB_AND_SALARY_STEP = "47985f169f80"  # existing processes get "Confirm Job and Salary"
BEFORE_CHECKLISTS = "a2b30ac52154"  # the revision before process_steps existed


def _on_process(database_url: str, name: str, sql: str) -> list[tuple]:
    """Run `sql` with :d, the id of the process definition called `name`."""
    [(definition_id,)] = _rows(
        database_url, "SELECT id FROM process_definitions WHERE name = :name", name=name
    )
    return _rows(database_url, sql, d=definition_id)


def _checklist(database_url: str, name: str) -> list[tuple]:
    return _on_process(
        database_url,
        name,
        'SELECT name, required, "check" FROM process_steps WHERE definition_id = :d '
        "ORDER BY position, id",
    )


def test_processes_from_before_the_step_get_confirm_job_and_salary_in_order(empty_database):
    # Processes created before checklists existed: the checklist migration seeded 5 defaults.
    assert _flask(empty_database, "upgrade", BEFORE_CHECKLISTS).returncode == 0
    names = ("Seeded", "Customised", "Pared down", "Has it by name")
    for name in names:
        _rows(
            empty_database,
            "INSERT INTO process_definitions (name, type, active, created_at) "
            "VALUES (:name, 'with_absences', true, CURRENT_TIMESTAMP)",
            name=name,
        )
    before = ScriptDirectory(str(ROOT / "migrations")).get_revision(JOB_AND_SALARY_STEP)
    result = _flask(empty_database, "upgrade", before.down_revision)
    assert result.returncode == 0, result.stderr[-2000:]
    # Then Administrators edited some: renamed a step and added their own at the end...
    _on_process(empty_database, "Customised", "UPDATE process_steps SET name = 'Check the "
                "contract' WHERE definition_id = :d AND \"check\" = 'employment'")  # fmt: skip
    _on_process(empty_database, "Customised", "INSERT INTO process_steps (definition_id, "
                "position, name, required) VALUES (:d, 6, 'Order a laptop', false)")  # fmt: skip
    # ...removed an automatic default, or added a step of that name themselves.
    _on_process(empty_database, "Pared down", "DELETE FROM process_steps "
                "WHERE definition_id = :d AND \"check\" = 'gender'")  # fmt: skip
    _on_process(empty_database, "Has it by name", "UPDATE process_steps SET name = 'confirm "
                "job and salary ' WHERE definition_id = :d AND position = 1")  # fmt: skip
    untouched = {name: _checklist(empty_database, name) for name in names[2:]}

    result = _flask(empty_database, "upgrade", JOB_AND_SALARY_STEP)
    assert result.returncode == 0, result.stderr[-2000:]
    job_and_salary = ("Confirm Job and Salary", True, "job_salary")
    assert _checklist(empty_database, "Seeded") == [
        ("Confirm personal details", True, None),
        ("Replace the placeholder Date of Birth", True, "date_of_birth"),
        ("Confirm Gender", True, "gender"),
        ("Confirm Employment Details", True, "employment"),
        job_and_salary,
        ("Upload right-to-work documents", False, None),
    ]  # the order of a process created today (processes.defaults.DEFAULT_STEPS)
    assert [step[0] for step in _checklist(empty_database, "Customised")] == [
        "Confirm personal details", "Replace the placeholder Date of Birth", "Confirm Gender",
        "Check the contract", "Confirm Job and Salary", "Upload right-to-work documents",
        "Order a laptop",
    ]  # fmt: skip
    for name, steps in untouched.items():
        assert _checklist(empty_database, name) == steps, name
    # Downgrading keeps the step (it is valid data there), and upgrading again adds no second.
    for args in (["downgrade", before.down_revision], ["upgrade", JOB_AND_SALARY_STEP]):
        assert _flask(empty_database, *args).returncode == 0
    assert _checklist(empty_database, "Seeded").count(job_and_salary) == 1


def test_upgrade_creates_every_declared_index(empty_database):
    """SQLite rebuilds a table in `batch_alter_table` without its expression indexes, and
    `flask db check` does not compare those: look the declared indexes up by name."""
    from lever_cezanne import models  # noqa: F401  (registers every table)
    from lever_cezanne.extensions import db

    result = _flask(empty_database, "upgrade")
    assert result.returncode == 0, result.stderr[-2000:]
    declared = {ix.name for table in db.metadata.sorted_tables for ix in table.indexes}
    assert declared - _index_names(empty_database, table=None) == set()
