"""Every `flask` command group, registered by name: each package owns its commands."""

from flask import Flask
from flask.cli import AppGroup

from lever_cezanne.accounts.commands import users_cli
from lever_cezanne.deliveries.commands import reconcile_command, worker_command
from lever_cezanne.deliveries.sync_command import sync_command
from lever_cezanne.demo import demo_cli
from lever_cezanne.integration.commands import integrations_cli, rotate_keys
from lever_cezanne.migrations_cli import migrations_cli
from lever_cezanne.org.commands import companies_cli, departments_cli, locations_cli
from lever_cezanne.processes.commands import processes_cli

lever_cli = AppGroup("lever", help="Lever integrations: set-up, reconciliation and keys.")
for command in (integrations_cli, rotate_keys, reconcile_command, sync_command):
    lever_cli.add_command(command)

COMMANDS = [
    users_cli,
    companies_cli,
    departments_cli,
    locations_cli,
    processes_cli,
    demo_cli,
    lever_cli,
    worker_command,
    migrations_cli,
]


def register_commands(app: Flask) -> None:
    """Add the operator commands to `flask`."""
    for command in COMMANDS:
        app.cli.add_command(command)
