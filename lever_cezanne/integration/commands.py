"""Operator commands: flask lever integrations create|list|set-alerts, flask lever rotate-keys."""

import click
from cryptography.fernet import InvalidToken
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lever_cezanne import crypto
from lever_cezanne.accounts.search import find_hr_professional, user_not_found_message
from lever_cezanne.core.commands import integration_or_fail, secret_option
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.integration import services
from lever_cezanne.integration.activity import activity_of
from lever_cezanne.integration.state import integration_state
from lever_cezanne.mail.addresses import AddressError, parse_addresses
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import HIRE_DATE_OFFER, HIRE_DATE_TODAY
from lever_cezanne.org.search import company_not_found_message, find_employable_company

SECRET_COLUMNS = {
    "signature_token_encrypted": "signature tokens",
    "access_token_encrypted": "access tokens",
    "refresh_token_encrypted": "refresh tokens",
}


@click.group("integrations", cls=AppGroup)
def integrations_cli():
    """Add and list Lever integrations."""


@integrations_cli.command("create")
@click.option("--subdomain", required=True, help="The last part of the webhook URL in Lever.")
@secret_option(
    "--signature-token", "LEVER_SIGNATURE_TOKEN", "The Candidate Hired webhook's signature token"
)
@click.option("--admin", "admin_username", required=True, help="New Hire Administrator username.")
@click.option("--company", "company_code", required=True, help="New Hire Default Company code.")
@click.option(
    "--hire-date-source", type=click.Choice([HIRE_DATE_TODAY, HIRE_DATE_OFFER]), default="today"
)
@click.option(
    "--alert-email",
    "alert_emails",
    multiple=True,
    metavar="ADDRESS",
    help="Who is e-mailed when hires fail (repeat for more addresses).",
)
@click.option(
    "--review-hires",
    is_flag=True,
    help="Review hires before they are created: they wait under Pending hires for HR.",
)
@click.option(
    "--write-back-notes",
    is_flag=True,
    help="Tell Lever when the hire is in Cezanne HR: a note on the candidate, once per hire.",
)
def integrations_create(
    subdomain,
    signature_token,
    admin_username,
    company_code,
    hire_date_source,
    alert_emails,
    review_hires,
    write_back_notes,
):
    """Create a Lever integration (authorise it afterwards under Integrations › Lever)."""
    addresses = _addresses(list(alert_emails))
    admin_user = find_hr_professional(admin_username)
    if admin_user is None:
        raise click.ClickException(user_not_found_message(admin_username))
    company = find_employable_company(company_code)
    if company is None:
        raise click.ClickException(company_not_found_message(company_code))
    details = services.Details(
        subdomain,
        signature_token,
        admin_user,
        company,
        hire_date_source,
        tuple(addresses),
        review_hires,
        write_back_notes,
    )
    try:
        integration = services.save_details(None, details)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created Lever integration {integration.subdomain} (id {integration.id}).")
    click.echo(f"Webhook URL for Lever: {services.webhook_url(integration.subdomain)}")
    click.echo("Next: an Administrator authorises it under Integrations › Lever.")


def _addresses(typed: list[str]) -> list[str]:
    try:
        return parse_addresses(typed)
    except AddressError as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS") from None


@integrations_cli.command("set-alerts")
@click.argument("subdomain")
@click.argument("addresses", nargs=-1, metavar="ADDRESS...")
def integrations_set_alerts(subdomain, addresses):
    """Set who is e-mailed when an integration's hires fail (no ADDRESS: send no alerts)."""
    integration = integration_or_fail(subdomain)
    found = _addresses(list(addresses))
    integration.alert_emails = ",".join(found) or None
    db.session.commit()
    if found:
        click.echo(f"Alerts for {integration.subdomain} go to: {', '.join(found)}.")
    else:
        click.echo(f"No alerts will be sent for {integration.subdomain}.")


@integrations_cli.command("list")
def integrations_list():
    """List Lever integrations (secrets are never printed)."""
    integrations = db.session.scalars(
        select(LeverIntegration)
        .where(LeverIntegration.deleted_at.is_(None))
        .order_by(LeverIntegration.subdomain)
    ).all()
    if not integrations:
        click.echo("No Lever integrations.")
    for integration in integrations:
        label = integration_state(integration, activity_of(integration.id)).label
        admin = integration.admin_user.username if integration.admin_user else "-"
        company = integration.default_company.code if integration.default_company else "-"
        click.echo(
            f"{integration.id}\t{integration.subdomain}\t{label}\tadmin={admin}\t"
            f"company={company}\thire-date={integration.hire_date_source}\t"
            f"alerts={integration.alert_emails or '-'}"
        )


@click.command("rotate-keys")
@with_appcontext
def rotate_keys():
    """Re-encrypt every stored Lever secret under the first key of ENCRYPTION_KEYS."""
    counts = dict.fromkeys(SECRET_COLUMNS, 0)
    failed = 0
    ids = db.session.scalars(select(LeverIntegration.id).order_by(LeverIntegration.id)).all()
    for integration_id in ids:
        # Row by row under the row lock: a token refresh running meanwhile is not overwritten.
        integration = db.session.scalars(
            select(LeverIntegration).where(LeverIntegration.id == integration_id).with_for_update()
        ).one()
        for column in SECRET_COLUMNS:
            value = getattr(integration, column)
            if not value:
                continue
            try:
                setattr(integration, column, crypto.rotate(value))
                counts[column] += 1
            except InvalidToken:
                failed += 1
        db.session.commit()
    summary = ", ".join(f"{counts[c]} {name}" for c, name in SECRET_COLUMNS.items())
    click.echo(f"Re-encrypted {summary} under the first key of ENCRYPTION_KEYS.")
    if failed:
        raise click.ClickException(
            f"{failed} secrets could not be decrypted with any key in ENCRYPTION_KEYS: add the "
            "key they were encrypted with, then run this again."
        )
