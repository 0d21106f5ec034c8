"""Departments and Locations: list, add, edit, deactivate and activate, like Companies."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from lever_cezanne.core.forms import show_refusal
from lever_cezanne.core.pagination import numbered_page
from lever_cezanne.core.search import starts_with
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Department, Location
from lever_cezanne.org import admin_bp
from lever_cezanne.org.forms import LookupForm
from lever_cezanne.org.lookup_services import create_lookup, set_lookup_active, update_lookup

PER_PAGE = 50


@dataclass(frozen=True)
class Kind:
    """One lookup table and the words its screens use."""

    model: type
    one: str  # "department": also the endpoint prefix
    many: str  # "departments"
    title: str  # "Departments"


KINDS = {
    "departments": Kind(Department, "department", "departments", "Departments"),
    "locations": Kind(Location, "location", "locations", "Locations"),
}


def _back(kind: Kind, message: str):
    flash(message, "success")
    return redirect(url_for(f"org_admin.{kind.many}_index"))


def _index(kind: Kind):
    """List a lookup's rows by code, searchable by the start of a code or name."""
    q = request.args.get("q", "").strip()[:100]
    query = select(kind.model).order_by(func.lower(kind.model.code))
    if q:
        query = query.where(or_(starts_with(kind.model.code, q), starts_with(kind.model.name, q)))
    rows = numbered_page(query, PER_PAGE)
    return render_template("org/lookups/index.html", kind=kind, rows=rows, q=q)


def _new(kind: Kind):
    """Add a department or location."""
    form = LookupForm(data={"active": True})
    if form.validate_on_submit():
        try:
            row = create_lookup(kind.model, form.code.data, form.name.data, form.active.data)
        except ValidationError as exc:
            show_refusal(form, exc, "code")
        else:
            db.session.commit()
            return _back(kind, f"{kind.title[:-1]} {row.label} created.")
    return render_template("org/lookups/form.html", kind=kind, form=form, row=None)


def _edit(kind: Kind, row_id: int):
    """Change a department's or location's code and name."""
    row = db.get_or_404(kind.model, row_id)
    form = LookupForm(obj=row)
    del form.active  # (de)activating has its own buttons on the list
    if form.validate_on_submit():
        try:
            update_lookup(row, form.code.data, form.name.data)
        except ValidationError as exc:
            show_refusal(form, exc, "code")
        else:
            db.session.commit()
            return _back(kind, f"Saved the changes to {row.label}.")
    return render_template("org/lookups/form.html", kind=kind, form=form, row=row)


def _set_active(kind: Kind, row_id: int, active: bool):
    """Activate or deactivate; employments that already have it keep it."""
    row = set_lookup_active(db.get_or_404(kind.model, row_id), active)
    db.session.commit()
    if active:
        return _back(kind, f"{row.label} is active again.")
    return _back(
        kind,
        f"{row.label} is inactive: Lever offers no longer fill it in and it leaves the choices "
        "on person pages. People who have it keep it.",
    )


def _register(kind: Kind) -> None:
    base = f"/{kind.many}"
    rules = [
        (base, f"{kind.many}_index", lambda: _index(kind), ["GET"]),
        (f"{base}/new", f"{kind.one}_new", lambda: _new(kind), ["GET", "POST"]),
        (f"{base}/<int:row_id>/edit", f"{kind.one}_edit", lambda row_id: _edit(kind, row_id),
         ["GET", "POST"]),
        (f"{base}/<int:row_id>/deactivate", f"{kind.one}_deactivate",
         lambda row_id: _set_active(kind, row_id, False), ["POST"]),
        (f"{base}/<int:row_id>/activate", f"{kind.one}_activate",
         lambda row_id: _set_active(kind, row_id, True), ["POST"]),
    ]  # fmt: skip
    for rule, endpoint, view, methods in rules:
        admin_bp.add_url_rule(rule, endpoint, view, methods=methods)


for _kind in KINDS.values():
    _register(_kind)
