"""Helpers every package's `flask` commands share: secret options, saving with a clear error,
and finding an integration by the subdomain typed."""

import click
from click.core import ParameterSource
from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration


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


def save(make):
    """Run a service, commit, and turn validation errors into a clear CLI error."""
    try:
        obj = make()
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    return obj


def integration_or_fail(subdomain: str) -> LeverIntegration:
    """Return the integration (not deleted) with this subdomain in any case, or stop the command
    saying there is none."""
    integration = db.session.scalar(
        select(LeverIntegration).where(
            func.lower(LeverIntegration.subdomain) == subdomain.lower(),
            LeverIntegration.deleted_at.is_(None),
        )
    )
    if integration is None:
        raise click.ClickException(
            f"No Lever integration has the subdomain '{subdomain}'. "
            "See `flask lever integrations list`."
        )
    return integration
