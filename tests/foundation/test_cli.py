"""Operator commands."""

import stat
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from lever_cezanne import demo
from lever_cezanne.models import Company, Gender, ProcessDefinition, User


def test_users_create_and_duplicate(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "ops",
            "--password",
            "long-enough-pw",
            "--role",
            "administrator",
            "--name",
            "Ops",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "ops"))
    assert user.is_administrator and user.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "OPS",
            "--password",
            "long-enough-pw",
            "--role",
            "hr",
        ]
    )
    assert again.exit_code == 1
    assert "already taken" in again.output


def test_users_create_unknown_role(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "x",
            "--password",
            "long-enough-pw",
            "--role",
            "boss",
        ]
    )
    assert result.exit_code == 2
    assert "boss" in result.output


def test_companies_create_is_case_insensitive_unique(app, db):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["companies", "create", "--code", "ACME", "--name", "Acme"]).exit_code
        == 0
    )
    dup = runner.invoke(args=["companies", "create", "--code", "acme", "--name", "Other"])
    assert dup.exit_code == 1 and "already has the code 'acme'" in dup.output
    inactive = runner.invoke(
        args=["companies", "create", "--code", "OLD", "--name", "Old", "--inactive"]
    )
    assert inactive.exit_code == 0
    assert db.session.scalar(select(Company).where(Company.code == "OLD")).active is False


def test_processes_create(app, db):
    result = app.test_cli_runner().invoke(
        args=["processes", "create", "--name", "Enter a New Starter", "--type", "with-absences"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(ProcessDefinition)).type == "with_absences"


def test_demo_seed_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "username admin, password" in first.output
    assert first.output.splitlines()[0] == second.output.splitlines()[0]
    assert len(db.session.scalars(select(User)).all()) == 4
    assert len(db.session.scalars(select(Company)).all()) == 3
    assert len(db.session.scalars(select(ProcessDefinition)).all()) == 2
    # A Gender picklist to choose from, "Not Known" included, each once.
    assert sorted(db.session.scalars(select(Gender.code))) == ["F", "M", "U", "X"]


def test_seeds_at_the_same_moment_print_the_same_demo_password(app, tmp_path, monkeypatch):
    """Browser lanes seed their stacks side by side on a fresh checkout: every seed gets the one
    password file, whole, and leaves no draft behind."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    start = threading.Barrier(12)

    def seed_password(_):
        with app.app_context():
            start.wait()
            return demo._demo_password("demo_admin_password")

    with ThreadPoolExecutor(12) as pool:
        passwords = set(pool.map(seed_password, range(12)))
    [password] = passwords
    assert len(password) >= 16
    path = tmp_path / "instance" / "demo_admin_password"
    assert path.read_text() == password and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["demo_admin_password"]


def _create_user_args(username):
    return ["users", "create", "--username", username, "--role", "hr"]


def test_users_create_asks_for_the_password_hidden(app, db):
    result = app.test_cli_runner().invoke(
        args=_create_user_args("asked"), input="long-enough-pw\nlong-enough-pw\n"
    )
    assert result.exit_code == 0, result.output
    assert "long-enough-pw" not in result.output  # hidden input is not echoed
    assert "Warning" not in result.output
    assert db.session.scalar(select(User).where(User.username == "asked"))


def test_users_create_reads_the_password_from_the_environment(app, db):
    result = app.test_cli_runner().invoke(
        args=_create_user_args("from-env"), env={"NEW_USER_PASSWORD": "long-enough-pw"}
    )
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output


def test_a_password_on_the_command_line_warns(app, db):
    # Before: --password was the documented way, visible in `ps` and the shell history.
    result = app.test_cli_runner().invoke(
        args=[*_create_user_args("typed"), "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    assert "Warning: --password on the command line is visible" in result.output
    assert "NEW_USER_PASSWORD" in result.output
