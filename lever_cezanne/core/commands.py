"""Helpers every package's `flask` commands share: secret options, and saving with a clear error."""

import click
from click.core import ParameterSource

from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db


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
