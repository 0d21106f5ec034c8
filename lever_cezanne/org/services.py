"""Create and change companies. Services flush, never commit."""

from sqlalchemy import func, select

from lever_cezanne.core.validation import ValidationError, refusing_duplicates
from lever_cezanne.extensions import db
from lever_cezanne.models import Company
from lever_cezanne.models.base import utcnow


def company_code_taken(code: str, exclude_id: int | None = None) -> bool:
    """Return whether a company that is not deleted already has this code, in any case."""
    query = select(Company.id).where(
        func.lower(Company.code) == code.strip().lower(), Company.deleted_at.is_(None)
    )
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return db.session.scalar(query) is not None


def create_company(code, name, active=True) -> Company:
    """Create a company with a code unique in any case."""
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError("A company needs a code and a name.")
    if company_code_taken(code):
        raise ValidationError(f"The company code {code!r} is already used by another company.")
    company = Company(code=code, name=name.strip(), active=active)
    with refusing_duplicates(f"The company code {code!r} is already used by another company."):
        db.session.add(company)
    return company


def update_company(company: Company, code: str, name: str) -> Company:
    """Change a company's code and name; the code stays unique in any case."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError("A company needs a code and a name.")
    if company_code_taken(code, exclude_id=company.id):
        raise ValidationError(f"The company code {code!r} is already used by another company.")
    with refusing_duplicates(f"The company code {code!r} is already used by another company."):
        company.code, company.name = code, name
    return company


def set_company_active(company: Company, active: bool) -> Company:
    """Activate or deactivate a company; inactive companies take no new Employment Details."""
    company.active = active
    db.session.flush()
    return company


def delete_company(company: Company) -> Company:
    """Soft-delete a company: its history stays, it leaves every list and picker."""
    company.deleted_at = utcnow()
    company.active = False
    db.session.flush()
    return company
