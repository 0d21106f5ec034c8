"""Forms for users, companies, New Starter processes and the all-tasks filters."""

from wtforms import BooleanField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    Regexp,
    ValidationError,
)

from lever_cezanne.core.forms import StrippedForm
from lever_cezanne.org.lookup_services import lookup_taken
from lever_cezanne.org.services import company_code_taken

COMPANY_CODE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    message="Use letters, digits, dots, hyphens and underscores only, e.g. CEZ-UK.",
)


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
