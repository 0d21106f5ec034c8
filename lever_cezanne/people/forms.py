"""Forms for people and their Employment Details."""

from datetime import date

from wtforms import IntegerField, SelectField, StringField
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

from lever_cezanne.core.forms import DayField, StrippedForm, required, required_date
from lever_cezanne.core.template_filters import local_today
from lever_cezanne.org.search import EmployableCompany

PHONE = Regexp(
    r"^\+?[0-9 ().\-/]{3,40}( *(ext\.?|x) *[0-9]{1,6})?$",
    message="Use digits, spaces, brackets and hyphens, with an optional leading +, "
    "e.g. +44 20 7946 0000.",
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _phone(label: str) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=50), PHONE])


class PersonForm(StrippedForm):
    """Personal Information and Contact Details, as in the documentation's table."""

    first_name = StringField("First Name", validators=[required("first name"), Length(max=100)])
    middle_name = StringField("Middle Name", validators=[Optional(), Length(max=100)])
    surname = StringField("Surname", validators=[required("surname"), Length(max=100)])
    known_as = StringField(
        "Known As",
        validators=[required("name the person is known as"), Length(max=100)],
        description="The name colleagues use. New starters from Lever get their first name.",
    )
    full_name = StringField("Full Name", validators=[required("full name"), Length(max=200)])
    legal_name = StringField("Legal Name", validators=[required("legal name"), Length(max=200)])
    gender_id = SelectField(
        "Gender",
        coerce=int,
        validators=[DataRequired(message="Choose a gender.")],
        invalid_choice_message="Choose a gender from the list.",
        description="Lever does not send a gender, so new starters get \u201cNot Known\u201d.",
    )
    date_of_birth = DayField(
        "Date of Birth",
        validators=[required_date("date of birth")],
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
        validators=[required("company code or name"), Length(max=240), EmployableCompany()],
        description="Type the company code or name and choose from the list. "
        "Only active companies can be chosen.",
    )


class AddEmploymentForm(CompanyChoiceForm):
    """The Employment Details the integration could not create."""

    hire_date = DayField("Hire Date", validators=[required_date("hire date")])
    employment_id = StringField(
        "Employment ID",
        validators=[Optional(), Length(max=64)],
        description="Defaults to the Person Code.",
    )


class EmploymentEditForm(AddEmploymentForm):
    """The person's open Employment Details, saved only over the version that was shown."""

    version = _version()
