"""Operator commands: flask users|companies|departments|locations|processes|demo ..."""

import click
from click.core import ParameterSource
from flask.cli import AppGroup

from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.demo import seed_demo
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location
from lever_cezanne.org.lookup_services import create_lookup
from lever_cezanne.org.services import create_company
from lever_cezanne.processes.definition_services import create_process_definition

users_cli = AppGroup("users", help="Manage users.")
companies_cli = AppGroup("companies", help="Manage companies.")
departments_cli = AppGroup("departments", help="Manage departments.")
locations_cli = AppGroup("locations", help="Manage locations.")
processes_cli = AppGroup("processes", help="Manage New Starter process definitions.")
demo_cli = AppGroup("demo", help="Demo data.")
# Commands are attached by lever_cezanne.integration.commands and lever_cezanne.deliveries.commands.
lever_cli = AppGroup("lever", help="Lever integrations: set-up, reconciliation and keys.")

ROLE_CHOICES = {"administrator": "administrator", "hr": "hr"}
TYPE_CHOICES = {"with-absences": "with_absences", "without-absences": "without_absences"}


def secret_option(flag: str, envvar: str, what: str, confirm: bool = False):
    """A secret option: asked for with hidden input, or read from `envvar`; the flag still works.

    A secret typed as an argument shows in `ps` and the shell's history, so using the flag warns.
    """

    def warn_when_typed(ctx, param, value):
        if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
            click.echo(
                f"Warning: {flag} on the command line is visible to other users in `ps` and stays "
                f"in your shell history. Leave it out to be asked for it, or set {envvar}.",
                err=True,
            )
        return value

    return click.option(
        flag,
        envvar=envvar,
        show_envvar=True,
        required=True,
        prompt=True,
        hide_input=True,
        confirmation_prompt=confirm,
        callback=warn_when_typed,
        help=f"{what}. Asked for (hidden) when left out, or read from {envvar}.",
    )


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
@secret_option("--password", "NEW_USER_PASSWORD", "The user's password", confirm=True)
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


def _lookup_create_command(group: AppGroup, model, word: str) -> None:
    @group.command("create")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    @click.option("--inactive", is_flag=True, help=f"Create the {word} inactive.")
    def create(code, name, inactive):
        row = _save(lambda: create_lookup(model, code, name, active=not inactive))
        click.echo(f"Created {word} {row.code} ({row.name}).")

    create.help = f"Create a {word}."


_lookup_create_command(departments_cli, Department, "department")
_lookup_create_command(locations_cli, Location, "location")


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


COMMAND_GROUPS = [
    users_cli,
    companies_cli,
    departments_cli,
    locations_cli,
    processes_cli,
    demo_cli,
    lever_cli,
]


def register_commands(app) -> None:
    """Add the operator command groups to `flask`."""
    from lever_cezanne.deliveries import sync_command  # noqa: F401 - attaches `flask lever sync`
    from lever_cezanne.deliveries.commands import (
        worker_command,
    )  # also attaches `flask lever reconcile`
    from lever_cezanne.integration import commands  # noqa: F401 - attaches lever integrations|rotate-keys

    app.cli.add_command(worker_command)
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
