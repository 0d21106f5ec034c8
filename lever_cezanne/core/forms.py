"""Form building blocks every package's forms use: stripped text fields, a date field, and
refusals shown on their field."""

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired

from lever_cezanne.core.validation import ValidationError

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


def required(what: str) -> DataRequired:
    return DataRequired(message=f"Enter the {what}.")


def required_date(what: str) -> InputRequired:
    # InputRequired, not DataRequired: a mistyped date keeps its own "Enter a date" message.
    return InputRequired(message=f"Enter the {what}.")


def show_refusal(form: FlaskForm, exc: ValidationError, default_field: str) -> None:
    """Show a service's refusal under the field it is about (a taken username, code...), else
    under `default_field`."""
    form[exc.field or default_field].errors.append(str(exc))
