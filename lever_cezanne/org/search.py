"""Find companies by code or name: the company picker, its JSON endpoint and form validation."""

from sqlalchemy import func, select
from wtforms.validators import ValidationError as WTFormsValidationError

from lever_cezanne.core.search import PICKER_LIMIT
from lever_cezanne.core.word_search import search_by_words
from lever_cezanne.extensions import db
from lever_cezanne.models import Company

LABEL_SEPARATOR = " — "


def _employable():
    return select(Company).where(Company.active.is_(True), Company.deleted_at.is_(None))


def search_companies(q: str, limit: int = PICKER_LIMIT) -> list[Company]:
    """Return active, not deleted companies with a word of the code or name starting each word of q.

    Accents and case are ignored: "ireland", "IE" and "ltd" all find "IE-01 — Widget Ireland Ltd".
    """
    found = search_by_words(_employable(), Company, q, limit)
    return sorted(found, key=lambda company: (company.code.lower(), company.id))


def find_employable_company(typed: str) -> Company | None:
    """Resolve what a user typed (a code, a "CODE — Name" label or a unique name) to a company."""
    typed = typed.strip()
    if not typed:
        return None
    code = typed.split(LABEL_SEPARATOR, 1)[0].strip().lower()
    company = db.session.scalar(_employable().where(func.lower(Company.code) == code))
    if company is not None:
        return company
    by_name = db.session.scalars(
        _employable().where(func.lower(Company.name) == typed.lower()).limit(2)
    ).all()
    return by_name[0] if len(by_name) == 1 else None


def company_not_found_message(typed: str) -> str:
    """Say why a typed company was refused and what to do."""
    code = typed.split(LABEL_SEPARATOR, 1)[0].strip()
    unusable = db.session.scalar(
        select(Company)
        .where(func.lower(Company.code) == code.lower())
        .order_by(Company.deleted_at.is_not(None), Company.id.desc())
    )
    if unusable is not None:
        state = "deleted" if unusable.deleted_at else "inactive"
        return (
            f"The company '{unusable.code}' is {state}, so it cannot take new Employment Details. "
            "Choose an active company, or ask an Administrator to activate it."
        )
    return (
        f"No active company has the code '{code}'. Type the code or name and choose from the list."
    )


class EmployableCompany:
    """WTForms validator: the field must name a company that can employ; it sets field.company."""

    def __call__(self, form, field) -> None:
        field.company = find_employable_company(field.data or "")
        if field.company is None:
            raise WTFormsValidationError(company_not_found_message(field.data or ""))


def company_result(company: Company) -> dict:
    """Return the picker's JSON for one company."""
    return {"value": company.code, "label": company.label}
