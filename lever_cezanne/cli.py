"""Operator commands: flask users|companies|processes|demo ..."""

import click
from flask.cli import AppGroup

from lever_cezanne.admin.services import (
    ValidationError,
    create_company,
    create_process_definition,
    create_user,
)
from lever_cezanne.demo import seed_demo
from lever_cezanne.extensions import db

users_cli = AppGroup("users", help="Manage users.")
companies_cli = AppGroup("companies", help="Manage companies.")
processes_cli = AppGroup("processes", help="Manage New Starter process definitions.")
demo_cli = AppGroup("demo", help="Demo data.")
# Commands are attached by lever_cezanne.integration.commands and lever_cezanne.jobs.commands.
lever_cli = AppGroup("lever", help="Lever integrations: set-up, reconciliation and keys.")

ROLE_CHOICES = {"administrator": "administrator", "hr": "hr"}
TYPE_CHOICES = {"with-absences": "with_absences", "without-absences": "without_absences"}


def _save(make):
    """Run a service, commit, and turn validation errors into a clear CLI error."""
    try:
        obj = make()
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    return obj


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", required=True, type=click.Choice(list(ROLE_CHOICES)))
@click.option("--name", default=None, help="Display name.")
@click.option("--email", default=None)
def users_create(username, password, role, name, email):
    """Create a user."""
    user = _save(lambda: create_user(username, password, ROLE_CHOICES[role], name, email))
    click.echo(f"Created {user.role_label} {user.username}.")


@companies_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--inactive", is_flag=True, help="Create the company inactive.")
def companies_create(code, name, inactive):
    """Create a company."""
    company = _save(lambda: create_company(code, name, active=not inactive))
    click.echo(f"Created company {company.code} ({company.name}).")


@processes_cli.command("create")
@click.option("--name", required=True)
@click.option("--type", "type_", required=True, type=click.Choice(list(TYPE_CHOICES)))
@click.option("--inactive", is_flag=True, help="Create the process inactive.")
def processes_create(name, type_, inactive):
    """Create a New Starter process definition."""
    definition = _save(lambda: create_process_definition(name, TYPE_CHOICES[type_], not inactive))
    click.echo(f"Created process {definition.name!r} ({definition.type_label}).")


@demo_cli.command("seed")
def demo_seed():
    """Create demo users, companies, processes and people (safe to run again)."""
    for line in seed_demo():
        click.echo(line)
    db.session.commit()


COMMAND_GROUPS = [users_cli, companies_cli, processes_cli, demo_cli, lever_cli]


def register_commands(app) -> None:
    """Add the operator command groups to `flask`."""
    from lever_cezanne.integration import commands  # noqa: F401 - attaches lever integrations|rotate-keys
    from lever_cezanne.jobs.commands import worker_command  # also attaches `flask lever reconcile`

    app.cli.add_command(worker_command)
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
