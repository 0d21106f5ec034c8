"""Forms for signing in and for managing users."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
)

from lever_cezanne.accounts.passwords import MIN_PASSWORD_LENGTH
from lever_cezanne.core.forms import StrippedForm
from lever_cezanne.models.org import ROLE_HR, ROLES


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


USERNAME = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
    message="Use letters, digits, dots, hyphens, underscores and @ only, starting with a letter "
    "or digit.",
)


def _password_fields(label: str):
    password = PasswordField(
        label,
        validators=[
            DataRequired(message="Enter a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A long phrase is best.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[EqualTo("password", message="The two passwords are not the same.")],
    )
    return password, confirm


class UserForm(StrippedForm):
    """A user's details and role; edit forms are built with obj=user."""

    username = StringField(
        "Username",
        validators=[DataRequired(message="Enter a username."), Length(max=80), USERNAME],
        description="Used to sign in. If you change it, update any Lever integration that "
        "names this user as New Hire Administrator.",
    )
    display_name = StringField(
        "Name", validators=[DataRequired(message="Enter the person's name."), Length(max=120)]
    )
    email = StringField(
        "E-mail",
        validators=[Optional(), Length(max=254), Email(message="Enter an e-mail address.")],
    )
    role = SelectField(
        "Role",
        choices=dict(ROLES),
        # Most users are HR Professionals: Administrator is chosen on purpose, never by default.
        default=ROLE_HR,
        invalid_choice_message="Choose Administrator or HR Professional.",
        description="Administrators manage users, companies, processes and integrations. "
        "Both roles are HR Professionals and can be New Hire Administrators.",
    )


class NewUserForm(UserForm):
    password, confirm = _password_fields("Password")


class PasswordForm(FlaskForm):
    password, confirm = _password_fields("New password")
