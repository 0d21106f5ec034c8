"""`flask companies|departments|locations create`."""

import click
from flask.cli import AppGroup

from lever_cezanne.core.commands import save
from lever_cezanne.models import Department, Location
from lever_cezanne.org.lookup_services import create_lookup
from lever_cezanne.org.services import create_company

companies_cli = AppGroup("companies", help="Manage companies.")
departments_cli = AppGroup("departments", help="Manage departments.")
locations_cli = AppGroup("locations", help="Manage locations.")


@companies_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--inactive", is_flag=True, help="Create the company inactive.")
def companies_create(code, name, inactive):
    """Create a company."""
    company = save(lambda: create_company(code, name, active=not inactive))
    click.echo(f"Created company {company.code} ({company.name}).")


def _lookup_create_command(group: AppGroup, model, word: str) -> None:
    @group.command("create")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    @click.option("--inactive", is_flag=True, help=f"Create the {word} inactive.")
    def create(code, name, inactive):
        row = save(lambda: create_lookup(model, code, name, active=not inactive))
        click.echo(f"Created {word} {row.code} ({row.name}).")

    create.help = f"Create a {word}."


_lookup_create_command(departments_cli, Department, "department")
_lookup_create_command(locations_cli, Location, "location")
