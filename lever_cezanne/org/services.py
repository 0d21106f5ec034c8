"""Create and change companies. Services flush, never commit."""

from lever_cezanne.core.validation import Unique, ValidationError, saving_unique
from lever_cezanne.extensions import db
from lever_cezanne.models import Company
from lever_cezanne.models.base import utcnow

UNIQUE_CODE = Unique(
    "uq_companies_code_lower",
    "code",
    "Another company already has the code '{value}' (codes are the same whatever their case). "
    "Choose another code.",
)


def create_company(code, name, active=True) -> Company:
    """Create a company with a code unique in any case."""
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError("A company needs a code and a name.")
    company = Company(code=code, name=name.strip(), active=active)
    with saving_unique(UNIQUE_CODE, code=code):
        db.session.add(company)
    return company


def update_company(company: Company, code: str, name: str) -> Company:
    """Change a company's code and name; the code stays unique in any case."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError("A company needs a code and a name.")
    with saving_unique(UNIQUE_CODE, code=code):
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
