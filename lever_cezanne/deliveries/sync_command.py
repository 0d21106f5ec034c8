"""`flask lever sync SUBDOMAIN [--since YYYY-MM-DD]`: a catch-up sync now, in the foreground."""

import time
from datetime import date

import click
from flask.cli import with_appcontext

from lever_cezanne.core.commands import integration_or_fail
from lever_cezanne.deliveries import sync
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import SyncKind, SyncStatus

BACKOFF = (2, 5, 15)  # seconds between attempts when Lever is busy


def _integration(subdomain: str) -> LeverIntegration:
    integration = integration_or_fail(subdomain)
    if integration.is_paused:
        raise click.ClickException(
            f"{integration.subdomain} is paused, so Cezanne HR does not call Lever. Resume it on "
            "its Details tab first."
        )
    return integration


def parse_since(value: str | None) -> date | None:
    """Read --since: a past or present calendar date as YYYY-MM-DD."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date: give it as YYYY-MM-DD, e.g. 2026-11-01.",
            param_hint="--since",
        ) from None
    if day > utcnow().date():
        raise click.BadParameter(
            f"{day.isoformat()} is in the future: give the first day of hires to look for.",
            param_hint="--since",
        )
    return day


@click.command("sync")
@with_appcontext
@click.argument("subdomain")
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    help="Look for hires made since this day (UTC). Default: since the last successful sync.",
)
def sync_command(subdomain: str, since: str | None):
    """Find hires in Lever that no webhook brought, store them, and print what was found."""
    day = parse_since(since)
    integration = _integration(subdomain)
    start = sync.start_of(day) if day else sync.catch_up_since(integration)
    kind = SyncKind.BACKFILL if day else SyncKind.CLI
    run = sync.create_run(integration, kind, start)
    db.session.commit()
    click.echo(f"Looking for hires made in Lever since {start:%Y-%m-%d %H:%M} UTC...")
    for pause in (*BACKOFF, None):
        try:
            run = sync.run_sync(run.id, final_attempt=pause is None)
            break
        except sync.RetryLater as exc:
            click.echo(f"{exc} Trying again in {pause} seconds.")
            time.sleep(pause)
    if run.status != SyncStatus.SUCCEEDED:
        raise click.ClickException(f"The sync failed: {run.message}")
    click.echo(
        f"Found {run.seen} hires: {run.stored} stored (now being processed), "
        f"{run.skipped} skipped (already stored from a webhook or an earlier sync)."
    )
