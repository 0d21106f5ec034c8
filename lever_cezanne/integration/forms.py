"""The Details form of a Lever integration, and the CSRF-only forms of its buttons."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import ValidationError as WTFormsValidationError
from wtforms.widgets import PasswordInput

from lever_cezanne.accounts.search import ActiveHRProfessional
from lever_cezanne.core.forms import DayField
from lever_cezanne.integration.services import (
    SUBDOMAIN_MAX,
    signature_token_problem,
    subdomain_problem,
)
from lever_cezanne.mail.addresses import AddressError, parse_addresses
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import HIRE_DATE_OFFER, HIRE_DATE_TODAY
from lever_cezanne.org.search import EmployableCompany

HIRE_DATE_CHOICES = [
    SelectChoice(HIRE_DATE_TODAY, "Today (as Lever sends no start date)"),
    SelectChoice(HIRE_DATE_OFFER, "The signed offer's anticipated start date, else today"),
]
SIGNATURE_HELP_NEW = (
    "The webhook Signature Token you copied in Lever (Settings › Integrations and API › Webhooks "
    "› Candidate Hired). It is stored encrypted and never shown again in full."
)
SIGNATURE_HELP_EDIT = (
    "The stored token ends •••• {last4}. Leave this blank to keep it; type a new one only if you "
    "regenerated the token in Lever."
)


class AlertAddresses:
    """WTForms validator: every address must be valid; sets field.addresses (normalised)."""

    def __call__(self, form, field) -> None:
        try:
            field.addresses = parse_addresses(field.data or "")
        except AddressError as exc:
            field.addresses = []
            raise WTFormsValidationError(str(exc)) from None


class DetailsForm(FlaskForm):
    """Subdomain, signature token, New Hire Administrator, default company, Hire Date source."""

    subdomain = StringField(
        "Subdomain",
        validators=[DataRequired("Enter the subdomain."), Length(max=SUBDOMAIN_MAX)],
        description=(
            "Your company's subdomain, e.g. CezanneHR. It must match the end of the webhook URL "
            "you entered in Lever. Letters, digits, hyphens and underscores only."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    # A refused form keeps the typed token (still masked) instead of making the user paste it
    # again; the page that echoes it is never cached (setup_views._render_form).
    signature_token = PasswordField(
        "Signature Token",
        validators=[Length(max=200)],
        widget=PasswordInput(hide_value=False),
        description=SIGNATURE_HELP_NEW,
        render_kw={"autocomplete": "new-password"},
    )
    admin_username = StringField(
        "New Hire Administrator",
        validators=[DataRequired("Choose the New Hire Administrator."), ActiveHRProfessional()],
        description=(
            "The HR Professional responsible for the New Starter Process: they are sent the task "
            "to complete each successful candidate's New Starter Process. If they leave the "
            "company or their username changes, you must update this field by hand."
        ),
        render_kw={"autocomplete": "off"},
    )
    company_code = StringField(
        "New Hire Default Company",
        validators=[DataRequired("Choose the New Hire Default Company."), EmployableCompany()],
        description=(
            "The company successful candidates are hired into; search by code or name. Only one "
            "default company can be entered, but the New Hire Administrator can change a "
            "candidate's company in the New Starter Process."
        ),
        render_kw={"autocomplete": "off"},
    )
    hire_date_source = RadioField(
        "Hire Date",
        choices=HIRE_DATE_CHOICES,
        default=HIRE_DATE_TODAY,
        description=(
            "Lever sends no start date, so the Hire Date defaults to today. Choose the offer "
            "option to use the anticipated start date of the candidate's signed offer in Lever."
        ),
    )

    review_hires = BooleanField(
        "Review hires before they are created",
        description=(
            "When on, a hire from Lever waits under Pending hires until an HR Professional "
            "approves, merges or rejects it; nothing is created before that."
        ),
    )
    write_back_notes = BooleanField(
        "Tell Lever when the hire is in Cezanne HR",
        description=(
            "When on, once a hire's records are created a note is added to the candidate in "
            "Lever: “Added to Cezanne HR as Person Code … on …” (once per hire). It needs "
            "Lever's notes permission, so Lever asks you to re-authorise after you switch it on."
        ),
    )
    alert_emails = StringField(
        "Alert e-mails",
        validators=[Length(max=2000), AlertAddresses()],
        description=(
            "Who is e-mailed when hires from Lever fail or are about to: separate addresses "
            "with commas. They hear at once when the integration needs re-authorisation or a "
            "setting makes hires fail (once a day per problem), and get at most one e-mail an "
            "hour listing new errors. Leave empty to send no alerts."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def __init__(self, *args, integration=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.integration = integration
        if integration is not None:
            self.signature_token.description = SIGNATURE_HELP_EDIT.format(
                last4=integration.signature_token_last4
            )

    def validate_subdomain(self, field) -> None:
        problem = subdomain_problem(field.data or "")
        if problem:
            raise WTFormsValidationError(problem)

    def validate_signature_token(self, field) -> None:
        token = (field.data or "").strip()
        if self.integration is None and not token:
            raise WTFormsValidationError(
                "Enter the Signature Token you copied from the Candidate Hired webhook in Lever."
            )
        problem = signature_token_problem(token)
        if problem:
            raise WTFormsValidationError(problem)


class ButtonForm(FlaskForm):
    """A CSRF token for a POST button (authorise, test, pause, resume, disconnect, delete)."""


class AcknowledgeForm(FlaskForm):
    """Acknowledge an Error row, with an optional note."""

    note = StringField(
        "Note (optional)",
        validators=[Length(max=1000, message="Keep the note under 1,000 characters.")],
        description="Say what you did or why no action is needed; shown on the row.",
    )


class ImportForm(FlaskForm):
    """Import hires made since a day (the backfill after the first authorisation)."""

    since = DayField(
        "Import hires made since",
        validators=[InputRequired(message="Enter the first day of hires to import.")],
        description="Hires made in Lever on or after this day that are not in Cezanne HR yet.",
    )

    def validate_since(self, field) -> None:
        if field.data and field.data > utcnow().date():
            raise WTFormsValidationError(
                "That day is in the future: enter the first day of hires to import."
            )
