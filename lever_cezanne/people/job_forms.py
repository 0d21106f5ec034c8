"""The form for an employment's job and salary (Job Title, Department, Location, Line Manager,
Salary) on the person page."""

from decimal import Decimal

import pycountry
from wtforms import DecimalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from lever_cezanne.core.forms import DayField, StrippedForm
from lever_cezanne.models.people import SALARY_INTERVALS
from lever_cezanne.people.job_services import JobChange

NONE = ""
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


class JobForm(StrippedForm):
    """Job Title, Department, Location, Line Manager (by Person Code) and the current Salary."""

    # The version the form was opened with: a save over someone else's newer one is refused.
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message="Reload the page and make your changes again.")],
    )
    job_title = StringField("Job Title", validators=[Optional(), Length(max=200)])
    department_id = SelectField("Department", coerce=str)
    location_id = SelectField("Location", coerce=str)
    line_manager_code = StringField(
        "Line Manager",
        validators=[Optional(), Length(max=64)],
        description="The Line Manager's Person Code. Leave empty for none.",
    )
    salary_amount = DecimalField(
        "Salary",
        places=2,
        validators=[Optional()],
        description="The amount, e.g. 55000.00. Salaries are kept as history: to change one, "
        "enter the new salary with the date it applies from. Leave the salary fields empty when "
        "there is none to record.",
    )
    salary_currency = StringField(
        "Currency",
        validators=[Optional(), Length(min=3, max=3, message="Use the 3-letter ISO 4217 code.")],
        description="ISO 4217, e.g. GBP, EUR, USD.",
    )
    salary_interval = SelectField(
        "Interval",
        choices=[
            SelectChoice(NONE, "—"),
            *(SelectChoice(k, v) for k, v in SALARY_INTERVALS.items()),
        ],
        coerce=str,
    )
    salary_effective_date = DayField(
        "Effective Date",
        validators=[Optional()],
        description="From when this salary applies. A new date keeps the old salary as history.",
    )

    def validate_salary_amount(self, field) -> None:
        if field.data is None:
            return  # not a number: the field already says so
        amount = field.data
        if (
            any(c in "eE" for c in field.raw_data[0])
            or not amount.is_finite()  # "NaN", "Infinity"
            or not 0 <= amount <= MAX_AMOUNT
        ):
            raise ValidationError("Enter an amount in digits, from 0 to 999,999,999,999.99.")

    def validate_salary_currency(self, field) -> None:
        if field.data and pycountry.currencies.get(alpha_3=field.data.upper()) is None:
            raise ValidationError(f"'{field.data}' is not an ISO 4217 currency code, e.g. GBP.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        parts = [
            self.salary_amount,
            self.salary_currency,
            self.salary_interval,
            self.salary_effective_date,
        ]
        given = [part for part in parts if part.data not in (None, NONE)]
        if given and len(given) < len(parts):
            for part in parts:
                if part.data in (None, NONE) and not part.errors:
                    part.errors = [*part.errors, f"Enter the {part.label.text.lower()} too."]
            return False
        return ok

    def job_change(self) -> JobChange:
        """Return what the validated form asks for."""
        salary = None
        if self.salary_amount.data is not None:
            salary = (
                self.salary_amount.data,
                self.salary_currency.data,
                self.salary_interval.data,
                self.salary_effective_date.data,
            )
        return JobChange(
            self.job_title.data,
            self.department_id.data,
            self.location_id.data,
            self.line_manager_code.data,
            salary,
        )
