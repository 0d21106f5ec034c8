"""The Field mapping tab's forms: the map, and the Preview's opportunity id."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from lever_cezanne.core.forms import StrippedForm
from lever_cezanne.onboarding.job import DEFAULT_FIELD_MAP, TARGET_LABELS


def _source_field(target: str, label: str) -> StringField:
    default = ", ".join(DEFAULT_FIELD_MAP[target])
    return StringField(
        label,
        validators=[Length(max=300)],
        description=f"Lever offer field(s), the first filled one wins. Default: {default}.",
        render_kw={"list": "offer-fields", "autocomplete": "off", "placeholder": default},
    )


class FieldMapForm(StrippedForm):
    """One Lever source per Cezanne HR target; empty means the default."""

    def sources(self) -> dict[str, str]:
        return {target: getattr(self, target).data or "" for target in TARGET_LABELS}


for _target, _label in TARGET_LABELS.items():
    setattr(FieldMapForm, _target, _source_field(_target, _label))


class PreviewForm(FlaskForm):
    """The opportunity to preview."""

    class Meta:
        csrf = False  # a read-only GET form: it changes nothing

    opportunity = StringField(
        "Lever opportunity id",
        validators=[
            DataRequired(message="Enter a Lever opportunity id."),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9-]+$", message="A Lever opportunity id, e.g. 250d8f03-738a-…"),
        ],
        description="From the candidate's address in Lever: hire.lever.co/candidates/<id>.",
    )
