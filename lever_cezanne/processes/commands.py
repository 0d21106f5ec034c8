"""`flask processes create`."""

import click
from flask.cli import AppGroup

from lever_cezanne.core.commands import save
from lever_cezanne.processes.definition_services import create_process_definition

processes_cli = AppGroup("processes", help="Manage New Starter process definitions.")
TYPE_CHOICES = {"with-absences": "with_absences", "without-absences": "without_absences"}


@processes_cli.command("create")
@click.option("--name", required=True)
@click.option("--type", "type_", required=True, type=click.Choice(list(TYPE_CHOICES)))
@click.option("--inactive", is_flag=True, help="Create the process inactive.")
def processes_create(name, type_, inactive):
    """Create a New Starter process definition."""
    definition = save(lambda: create_process_definition(name, TYPE_CHOICES[type_], not inactive))
    click.echo(f"Created process {definition.name!r} ({definition.type_label}).")
