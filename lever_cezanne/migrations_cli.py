"""`flask db`: Flask-Migrate's commands, loaded when `flask db` is run.

Flask-Migrate imports Alembic (with Mako), about a fifth of the app's import time, and only this
command needs it: the web server and the workers start without it.
"""

from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

from lever_cezanne.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_migrate(app: Flask) -> click.Group:
    """Bind Flask-Migrate to the app, which also puts its own `db` group on `flask`; return it."""
    from flask_migrate import Migrate
    from flask_migrate.cli import db as migrate_commands

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(MIGRATIONS), compare_type=True)
    return migrate_commands


class MigrationsCommand(click.Command):
    """Stands for Flask-Migrate's `db` group in `flask --help`; run, it hands the arguments to
    that group (its options, its subcommands, its help)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        app = parent.ensure_object(ScriptInfo).load_app()
        return init_migrate(app).make_context(info_name, args, parent=parent, **extra)


migrations_cli = MigrationsCommand("db", help="Perform database migrations (Flask-Migrate).")
