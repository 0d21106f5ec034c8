"""Forms for users, companies, New Starter processes and the all-tasks filters."""

from wtforms import BooleanField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    Regexp,
)

from lever_cezanne.core.forms import StrippedForm

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


class GenderForm(StrippedForm):
    """An item of the Gender picklist: a code and what people pages show for it."""

    code = StringField(
        "Code",
        validators=[DataRequired(message="Enter a code."), Length(max=10), COMPANY_CODE],
        description="A short code, e.g. F. Unique whatever its case.",
    )
    description = StringField(
        "Description",
        validators=[DataRequired(message="Enter the description."), Length(max=80)],
        description="What person pages and the Gender list show, e.g. Female.",
    )
