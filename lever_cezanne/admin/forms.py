"""Forms for users, companies, New Starter processes and the all-tasks filters."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from lever_cezanne.admin.lookup_services import lookup_taken
from lever_cezanne.admin.services import (
    company_code_taken,
    email_taken,
    email_taken_message,
    username_taken,
)
from lever_cezanne.auth.passwords import MIN_PASSWORD_LENGTH
from lever_cezanne.hr.forms import StrippedForm, TaskFilterForm
from lever_cezanne.models.org import ROLE_HR, ROLES
from lever_cezanne.models.processes import PROCESS_TYPES

USERNAME = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
    message="Use letters, digits, dots, hyphens, underscores and @ only, starting with a letter "
    "or digit.",
)
COMPANY_CODE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    message="Use letters, digits, dots, hyphens and underscores only, e.g. CEZ-UK.",
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

    def __init__(self, *args, user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_username(self, field) -> None:
        if username_taken(field.data, exclude_id=self._user_id):
            raise ValidationError(
                f"The username '{field.data.strip()}' is already taken (perhaps by a deleted "
                "user). Choose another."
            )

    def validate_email(self, field) -> None:
        if email_taken(field.data, exclude_id=self._user_id):
            raise ValidationError(email_taken_message(field.data))


class NewUserForm(UserForm):
    password, confirm = _password_fields("Password")


class PasswordForm(FlaskForm):
    password, confirm = _password_fields("New password")


class CompanyForm(StrippedForm):
    """A company's code and name; codes are unique in any case among companies not deleted."""

    code = StringField(
        "Company Code",
        validators=[DataRequired(message="Enter a company code."), Length(max=40), COMPANY_CODE],
        description="The Lever integration's New Hire Default Company is chosen by this code.",
    )
    name = StringField(
        "Company Name",
        validators=[DataRequired(message="Enter the company name."), Length(max=200)],
    )

    def __init__(self, *args, company_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._company_id = company_id

    def validate_code(self, field) -> None:
        if company_code_taken(field.data, exclude_id=self._company_id):
            raise ValidationError(
                f"Another company already has the code '{field.data.strip()}' (codes are the "
                "same whatever their case). Choose another code."
            )


class NewCompanyForm(CompanyForm):
    active = BooleanField("Active (can take new Employment Details)", default=True)


class ProcessForm(StrippedForm):
    """A New Starter process definition."""

    name = StringField(
        "Name",
        validators=[DataRequired(message="Enter a name."), Length(max=200)],
        default="Enter a New Starter",
    )
    type = SelectField(
        "Type",
        choices=dict(PROCESS_TYPES),
        invalid_choice_message="Choose With Absences or Without Absences.",
        description="The integration uses the latest active With Absences process, else the "
        "latest active Without Absences one.",
    )
    active = BooleanField("Active", default=True)


class AllTasksFilterForm(TaskFilterForm):
    """The all-tasks filters: status, person and assignee."""

    assignee = StringField(
        "Assigned to",
        validators=[Optional(), Length(max=120)],
        description="Type a name or username and choose from the list.",
    )

    def active_filters(self) -> dict:
        """Return the filters in use, as query-string arguments for page links."""
        filters = super().active_filters()
        if (self.assignee.data or "").strip():
            filters["assignee"] = self.assignee.data.strip()
        return filters


class LookupForm(StrippedForm):
    """A department's or location's code and name, each unique whatever its case."""

    code = StringField(
        "Code",
        validators=[DataRequired(message="Enter a code."), Length(max=40), COMPANY_CODE],
    )
    name = StringField(
        "Name",
        validators=[DataRequired(message="Enter the name."), Length(max=200)],
        description="Lever offers are matched to this name, ignoring case and accents.",
    )
    active = BooleanField("Active (filled in from Lever offers and chosen on person pages)")

    def __init__(self, *args, model=None, row_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._model, self._row_id = model, row_id

    def _unique(self, column: str, field) -> None:
        if lookup_taken(self._model, column, field.data, exclude_id=self._row_id):
            raise ValidationError(
                f"Another one already has the {column} '{field.data.strip()}' (the same whatever "
                f"its case). Choose another {column}."
            )

    def validate_code(self, field) -> None:
        self._unique("code", field)

    def validate_name(self, field) -> None:
        self._unique("name", field)


class StepForm(StrippedForm):
    """One checklist step of a process definition."""

    name = StringField(
        "Step",
        validators=[DataRequired(message="Enter what the step asks for."), Length(max=200)],
    )
    required = BooleanField(
        "Required (the task cannot be completed until it is done)", default=True
    )
