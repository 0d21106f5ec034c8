"""Administration screens."""

from flask import render_template
from sqlalchemy import select

from lever_cezanne.admin import bp
from lever_cezanne.extensions import db
from lever_cezanne.models import Company, ProcessDefinition, User


@bp.route("/users")
def users_index():
    """List users."""
    users = db.session.scalars(
        select(User).where(User.deleted_at.is_(None)).order_by(User.username)
    ).all()
    return render_template("admin/users/index.html", users=users)


@bp.route("/companies")
def companies_index():
    """List companies."""
    companies = db.session.scalars(
        select(Company).where(Company.deleted_at.is_(None)).order_by(Company.code)
    ).all()
    return render_template("admin/companies/index.html", companies=companies)


@bp.route("/processes")
def processes_index():
    """List New Starter process definitions."""
    definitions = db.session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.created_at.desc())
    ).all()
    return render_template("admin/processes/index.html", definitions=definitions)
