"""Migrations: one head, upgrade from empty, downgrade to base, no drift from the models."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def _flask(database_url, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEVER_SANDBOX_ENABLED": "0",
        "APP_ENV": "development",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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
