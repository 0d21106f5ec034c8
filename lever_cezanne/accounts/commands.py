"""`flask users create`."""

import click
from flask.cli import AppGroup

from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.core.commands import save, secret_option

users_cli = AppGroup("users", help="Manage users.")
ROLE_CHOICES = {"administrator": "administrator", "hr": "hr"}


@users_cli.command("create")
@click.option("--username", required=True)
@secret_option("--password", "NEW_USER_PASSWORD", "The user's password", confirm=True)
@click.option("--role", required=True, type=click.Choice(list(ROLE_CHOICES)))
@click.option("--name", default=None, help="Display name.")
@click.option("--email", default=None)
def users_create(username, password, role, name, email):
    """Create a user."""
    user = save(lambda: create_user(username, password, ROLE_CHOICES[role], name, email))
    click.echo(f"Created {user.role_label} {user.username}.")
