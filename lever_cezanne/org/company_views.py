"""Companies: list, create, edit code and name, activate or deactivate, delete."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from lever_cezanne.core.forms import show_refusal
from lever_cezanne.core.lookups import get_live_or_404
from lever_cezanne.core.pagination import numbered_page
from lever_cezanne.core.search import starts_with
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, LeverIntegration
from lever_cezanne.org import admin_bp, services
from lever_cezanne.org.forms import CompanyForm, NewCompanyForm

PER_PAGE = 50


def _back(message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("org_admin.companies_index"))


def integrations_defaulting_to(company: Company) -> list[LeverIntegration]:
    """Return the Lever integrations that hire into this company by default."""
    query = select(LeverIntegration).where(
        LeverIntegration.default_company_id == company.id, LeverIntegration.deleted_at.is_(None)
    )
    return list(db.session.scalars(query))


@admin_bp.route("/companies")
def companies_index():
    """List companies that are not deleted, searchable by code or name."""
    q = request.args.get("q", "").strip()[:100]
    query = select(Company).where(Company.deleted_at.is_(None)).order_by(func.lower(Company.code))
    if q:
        query = query.where(or_(starts_with(Company.code, q), starts_with(Company.name, q)))
    companies = numbered_page(query, PER_PAGE)
    return render_template("org/companies/index.html", companies=companies, q=q)


@admin_bp.route("/companies/new", methods=["GET", "POST"])
def company_new():
    """Create a company."""
    form = NewCompanyForm()
    if form.validate_on_submit():
        try:
            company = services.create_company(form.code.data, form.name.data, form.active.data)
        except ValidationError as exc:
            show_refusal(form, exc, "code")
        else:
            db.session.commit()
            return _back(f"Company {company.label} created.")
    return render_template("org/companies/new.html", form=form)


@admin_bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def company_edit(company_id: int):
    """Change a company's code and name."""
    company = get_live_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            services.update_company(company, form.code.data, form.name.data)
        except ValidationError as exc:
            show_refusal(form, exc, "code")
        else:
            db.session.commit()
            return _back(f"Saved the changes to {company.label}.")
    return render_template("org/companies/edit.html", form=form, company=company)


@admin_bp.route("/companies/<int:company_id>/deactivate", methods=["GET", "POST"])
def company_deactivate(company_id: int):
    """Ask, then deactivate a company: it takes no new Employment Details, leaves the pickers."""
    company = get_live_or_404(Company, company_id)
    if request.method == "GET":
        integrations = integrations_defaulting_to(company)
        return render_template(
            "org/companies/deactivate.html", company=company, integrations=integrations
        )
    services.set_company_active(company, False)
    db.session.commit()
    return _back(f"{company.label} is inactive: new hires cannot be employed in it.")


@admin_bp.route("/companies/<int:company_id>/activate", methods=["POST"])
def company_activate(company_id: int):
    """Activate a company."""
    company = services.set_company_active(get_live_or_404(Company, company_id), True)
    db.session.commit()
    return _back(f"{company.label} is active again.")


@admin_bp.route("/companies/<int:company_id>/delete", methods=["GET", "POST"])
def company_delete(company_id: int):
    """Ask, then soft-delete a company."""
    company = get_live_or_404(Company, company_id)
    if request.method == "GET":
        integrations = integrations_defaulting_to(company)
        return render_template(
            "org/companies/delete.html", company=company, integrations=integrations
        )
    services.delete_company(company)
    db.session.commit()
    return _back(f"{company.label} is deleted. Existing Employment Details keep it as history.")
