"""Forms for people, Employment Details and New Starter tasks."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from lever_cezanne.hr.filters import local_today
from lever_cezanne.hr.search import EmployableCompany

PHONE = Regexp(
    r"^\+?[0-9 ().\-/]{3,40}( *(ext\.?|x) *[0-9]{1,6})?$",
    message="Use digits, spaces, brackets and hyphens, with an optional leading +, "
    "e.g. +44 20 7946 0000.",
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
DATE_MESSAGE = "Enter a date, e.g. 2024-09-02."


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StrippedForm(FlaskForm):
    """A form whose text fields ignore spaces typed before or after the value."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            # Passwords are taken exactly as typed.
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options["filters"] = [_strip, *options.get("filters", ())]
            return unbound_field.bind(form=form, **options)


class DayField(DateField):
    """A date field whose error says how to type a date."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATE_MESSAGE) from exc


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"Enter the {what}.")


def _required_date(what: str) -> InputRequired:
    # InputRequired, not DataRequired: a mistyped date keeps its own "Enter a date" message.
    return InputRequired(message=f"Enter the {what}.")


def _phone(label: str) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=50), PHONE])


class PersonForm(StrippedForm):
    """Personal Information and Contact Details, as in the documentation's table."""

    first_name = StringField("First Name", validators=[_required("first name"), Length(max=100)])
    middle_name = StringField("Middle Name", validators=[Optional(), Length(max=100)])
    surname = StringField("Surname", validators=[_required("surname"), Length(max=100)])
    known_as = StringField(
        "Known As",
        validators=[_required("name the person is known as"), Length(max=100)],
        description="The name colleagues use. New starters from Lever get their first name.",
    )
    full_name = StringField("Full Name", validators=[_required("full name"), Length(max=200)])
    legal_name = StringField("Legal Name", validators=[_required("legal name"), Length(max=200)])
    gender_id = SelectField(
        "Gender",
        coerce=int,
        validators=[DataRequired(message="Choose a gender.")],
        invalid_choice_message="Choose a gender from the list.",
        description="Lever does not send a gender, so new starters get \u201cNot Known\u201d.",
    )
    date_of_birth = DayField(
        "Date of Birth",
        validators=[_required_date("date of birth")],
        description="Lever does not send a date of birth, so new starters get the day they "
        "were hired: enter the real one.",
    )
    home_number = _phone("Home Number")
    work_number = _phone("Work Number")
    mobile_number = _phone("Mobile Number")
    other_number = _phone("Other Number")
    skype_name = StringField("Skype Name", validators=[Optional(), Length(max=100)])
    external_email = StringField(
        "External E-mail",
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an e-mail address like name@example.com."),
        ],
    )

    def validate_date_of_birth(self, field) -> None:
        if field.data is None:
            return  # mistyped: the field already says how to type a date
        if field.data > local_today():
            raise ValidationError("The date of birth cannot be in the future.")
        if field.data < EARLIEST_BIRTH_DATE:
            raise ValidationError("Enter a date of birth after 1 January 1900.")


def _version() -> IntegerField:
    # The version the form was opened with: a save from an older one is refused.
    return IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message="Reload the page and make your changes again.")],
    )


class PersonEditForm(PersonForm):
    """Personal Information and Contact Details, saved only over the version that was shown."""

    version = _version()


class CompanyChoiceForm(StrippedForm):
    """Choose a company that can employ, with the company picker."""

    company = StringField(
        "Company",
        validators=[_required("company code or name"), Length(max=240), EmployableCompany()],
        description="Type the company code or name and choose from the list. "
        "Only active companies can be chosen.",
    )


class AddEmploymentForm(CompanyChoiceForm):
    """The Employment Details the integration could not create."""

    hire_date = DayField("Hire Date", validators=[_required_date("hire date")])
    employment_id = StringField(
        "Employment ID",
        validators=[Optional(), Length(max=64)],
        description="Defaults to the Person Code.",
    )


class EmploymentEditForm(AddEmploymentForm):
    """The person's open Employment Details, saved only over the version that was shown."""

    version = _version()


class CompleteAnywayForm(StrippedForm):
    """An Administrator's reason for completing a task that is not ready."""

    reason = TextAreaField(
        "Reason",
        validators=[
            _required("reason for completing the task anyway"),
            Length(min=10, max=2000, message="Write between 10 and 2,000 characters."),
        ],
        description="Recorded on the task and shown to everyone who opens it.",
    )


class ReassignForm(StrippedForm):
    """Give a task to another active HR Professional."""

    assignee = SelectField(
        "New owner",
        coerce=int,
        validators=[InputRequired(message="Choose who takes the task over.")],
        invalid_choice_message="Choose an active HR Professional from the list.",
    )


class DueDateForm(StrippedForm):
    """When a task is due."""

    due_date = DayField(
        "Due date",
        validators=[_required_date("due date")],
        description="Defaults to the Hire Date.",
    )


class TaskFilterForm(StrippedForm):
    """Filters over a task list (read from the query string)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices={"": "Any status", "open": "Open", "overdue": "Overdue", "completed": "Completed"},
        validators=[Optional()],
    )
    q = StringField(
        "Person",
        validators=[Optional(), Length(max=100)],
        description="Name, person code or e-mail.",
    )

    sort = SelectField(
        "Sort by",
        choices={
            "": "Open first, newest first",
            "due": "Due date, soonest first",
            "name": "Name, A to Z",
        },
        validators=[Optional()],
    )

    def active_filters(self) -> dict:
        """Return the filters in use, as query-string arguments for page links."""
        values = {
            "status": self.status.data,
            "q": (self.q.data or "").strip(),
            "sort": self.sort.data,
        }
        return {name: value for name, value in values.items() if value}


class MyTasksFilterForm(TaskFilterForm):
    """My Tasks' filters: my own tasks, or the whole team's."""

    scope = SelectField(
        "Whose",
        choices={"": "Mine", "team": "Team"},
        validators=[Optional()],
    )

    def active_filters(self) -> dict:
        found = super().active_filters()
        if self.scope.data:
            found["scope"] = self.scope.data
        return found


class ApproveHireForm(StrippedForm):
    """What a reviewer may correct before a pending hire's records are created."""

    first_name = StringField("First Name", validators=[_required("first name"), Length(max=100)])
    surname = StringField("Surname", validators=[_required("surname"), Length(max=100)])
    known_as = StringField("Known As", validators=[_required("known as name"), Length(max=100)])
    full_name = StringField("Full Name", validators=[_required("full name"), Length(max=200)])
    legal_name = StringField("Legal Name", validators=[_required("legal name"), Length(max=200)])
    external_email = StringField(
        "External E-mail",
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an e-mail address like name@example.com."),
        ],
    )
    hire_date = DayField("Hire Date", validators=[_required_date("hire date")])


class MergeHireForm(StrippedForm):
    """The existing person a pending hire is merged into."""

    person_code = StringField(
        "Person Code of the existing person",
        validators=[_required("Person Code of the existing person"), Length(max=64)],
        description="The duplicate or re-hired person: the hire becomes a new employment on them.",
    )


class RejectHireForm(StrippedForm):
    """Why a pending hire is rejected."""

    reason = TextAreaField(
        "Reason",
        validators=[_required("reason"), Length(max=1000)],
        description="Recorded on the integration's Log.",
    )
