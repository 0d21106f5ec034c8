"""Map a Lever opportunity (expanded contact) and its offers to Cezanne HR fields."""

from dataclasses import dataclass, field
from datetime import date

from lever_cezanne.core.dates import date_from_ms
from lever_cezanne.models import Person
from lever_cezanne.onboarding.job import DEFAULT_FIELD_MAP, JobDetails
from lever_cezanne.onboarding.names import parse_name
from lever_cezanne.onboarding.offers import signed_offers

LEVER_CANDIDATE_URL = "https://hire.lever.co/candidates/{}"
START_DATE_FIELDS = DEFAULT_FIELD_MAP["hire_date"]
PHONE_FIELDS = {
    "work": "work_number",
    "mobile": "mobile_number",
    "home": "home_number",
    "skype": "skype_name",
    "other": "other_number",
}
FIELD_LABELS = {
    "first_name": "First Name",
    "middle_name": "Middle Name",
    "surname": "Surname",
    "known_as": "Known As",
    "full_name": "Full Name",
    "legal_name": "Legal Name",
    "person_code": "Person Code",
    "home_number": "Home Number",
    "work_number": "Work Number",
    "mobile_number": "Mobile Number",
    "other_number": "Other Number",
    "skype_name": "Skype Name",
    "external_email": "External E-mail",
    "lever_opportunity_url": "Lever opportunity link",
}


@dataclass
class NewStarter:
    """Everything the New Starter rules need, plus Warnings for the log."""

    person: dict
    hire_date: date
    opportunity_id: str
    warnings: list[str] = field(default_factory=list)
    hire_date_warning: str | None = None
    job: JobDetails = field(default_factory=JobDetails)

    @property
    def person_code(self) -> str:
        return self.person["person_code"]

    @property
    def full_name(self) -> str:
        return self.person["full_name"]


class MappingError(ValueError):
    """The opportunity lacks something a Person cannot be created without."""


def _contact(opportunity: dict) -> dict:
    contact = opportunity.get("contact")
    return contact if isinstance(contact, dict) else {"id": contact}


def _phone_entries(phones: list | None) -> list[tuple[str | None, str]]:
    """Return (Lever type, number) for each phone with a number; unknown types count as none."""
    entries = []
    for phone in phones or []:
        value = phone.get("value") if isinstance(phone, dict) else None
        if not isinstance(value, str) or not value.strip():
            continue
        kind = phone.get("type")
        known = isinstance(kind, str) and kind in PHONE_FIELDS
        entries.append((kind if known else None, value.strip()))
    return entries


def map_phones(phones: list | None) -> tuple[dict, list[str]]:
    """Place each phone in the field of its own type; return the fields and the numbers left over.

    Untyped phones may use Other Number while it is free; a second phone of a type already filled
    is left over (and listed in a Warning), never moved into another type's field.
    """
    fields: dict[str, str] = {}
    left_over: list[str] = []
    entries = _phone_entries(phones)
    for kind, value in [e for e in entries if e[0]] + [e for e in entries if not e[0]]:
        target = PHONE_FIELDS[kind or "other"]
        if target in fields:
            label = FIELD_LABELS[target] if kind else "untyped"
            left_over.append(f"{value} ({label})")
            continue
        fields[target] = value
    # The documentation sends the Work Number to Home Number when there is no home phone.
    if "home_number" not in fields and "work_number" in fields:
        fields["home_number"] = fields["work_number"]
    return fields, left_over


def latest_signed_start(
    offers: list | None, identifiers: tuple[str, ...] = START_DATE_FIELDS
) -> int | None:
    """Return the start (ms) of the latest signed offer that has one, or None."""
    for offer in signed_offers(offers):
        for identifier in identifiers:
            value = offer.value(identifier)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
    return None


def _list(value) -> list:
    """Lever data is untrusted: treat anything that is not a list as empty."""
    return value if isinstance(value, list) else []


NO_OFFER_WARNING = (
    "No signed offer with an anticipated start date was found in Lever, so the Hire Date is "
    "today. Correct it in the Employment Details if needed."
)


def _hire_date(
    offers, use_offer: bool, today: date, timezone: str, start_fields: tuple[str, ...]
) -> tuple[date, str | None]:
    """Return the Hire Date and, when the offer could not supply it, a Warning."""
    if not use_offer:
        return today, None
    start = latest_signed_start(offers, start_fields)
    if start is None:
        return today, NO_OFFER_WARNING
    return date_from_ms(start, timezone), None


def _fit_columns(person: dict, warnings: list) -> None:
    """Cut values longer than their column, with a Warning, rather than fail."""
    for name, value in person.items():
        length = getattr(Person.__table__.c[name].type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            person[name] = value[:length]
            label = FIELD_LABELS.get(name, name)
            warnings.append(
                f"{label} was longer than {length} characters and was shortened; "
                "check it on the person's record."
            )


def map_new_starter(
    opportunity: dict,
    offers: list | None,
    *,
    today: date,
    timezone: str,
    use_offer: bool,
    start_fields: tuple[str, ...] = START_DATE_FIELDS,
) -> NewStarter:
    """Build the Person fields and Hire Date for a hired opportunity."""
    contact = _contact(opportunity)
    person_code = contact.get("id")
    if not isinstance(person_code, str) or not person_code:
        raise MappingError("the opportunity has no contact id")
    name = parse_name(contact.get("name") or opportunity.get("name"))
    warnings: list[str] = []
    if name.one_word:
        warnings.append(
            f"The candidate's name in Lever is one word, so '{name.first}' was used as both "
            "First Name and Surname. Correct the name on the person's record if needed."
        )
    emails = [
        e.strip()
        for e in _list(contact.get("emails") or opportunity.get("emails"))
        if isinstance(e, str) and e.strip()
    ]
    phones, left_over = map_phones(_list(contact.get("phones") or opportunity.get("phones")))
    if left_over:
        warnings.append(
            "Lever had more phone numbers than fields of their type, so these were not copied: "
            f"{'; '.join(left_over)}. Add any that matter to the person's record."
        )
    if len(emails) > 1:
        warnings.append(
            f"Lever had {len(emails)} e-mail addresses; the first is the External E-mail and "
            f"these were not copied: {'; '.join(emails[1:])}. Add any that matter to the "
            "person's record."
        )
    opportunity_id = opportunity.get("id") or ""
    person = {
        "person_code": person_code,
        "first_name": name.first,
        "middle_name": name.middle,
        "surname": name.surname,
        "known_as": name.known_as,
        "full_name": name.full,
        "legal_name": name.full,
        "date_of_birth": today,
        "external_email": emails[0] if emails else None,
        "home_number": None,
        "work_number": None,
        "mobile_number": None,
        "other_number": None,
        "skype_name": None,
        **phones,
        "lever_contact_id": person_code,
        "lever_opportunity_id": opportunity_id,
        "lever_opportunity_url": opportunity_url(opportunity),
    }
    _fit_columns(person, warnings)
    hire_date, hire_date_warning = _hire_date(offers, use_offer, today, timezone, start_fields)
    return NewStarter(person, hire_date, opportunity_id, warnings, hire_date_warning)


def opportunity_url(opportunity: dict) -> str:
    """Return the link to the opportunity in Lever."""
    urls = opportunity.get("urls")
    show = urls.get("show") if isinstance(urls, dict) else None
    if isinstance(show, str) and show.startswith(("https://", "http://")):
        return show
    return LEVER_CANDIDATE_URL.format(opportunity.get("id") or "")
