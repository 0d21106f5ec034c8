"""The Gender picklist (Administrators): list, add and edit its items.

Person pages offer these genders; a hire from Lever gets "Not Known" (code U), and the New
Starter task's "Confirm Gender" step is done once someone chooses another.
"""

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select

from lever_cezanne.core.forms import show_refusal
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import Gender, Person
from lever_cezanne.models.people import GENDER_NOT_KNOWN
from lever_cezanne.org import admin_bp
from lever_cezanne.org.forms import GenderForm
from lever_cezanne.org.gender_services import create_gender, update_gender


@admin_bp.route("/genders")
def genders_index():
    """List the picklist by code, with how many people have each."""
    people = (
        select(Person.gender_id, func.count().label("people")).group_by(Person.gender_id).subquery()
    )
    rows = db.session.execute(
        select(Gender, func.coalesce(people.c.people, 0))
        .outerjoin(people, people.c.gender_id == Gender.id)
        .order_by(func.lower(Gender.code))
    ).all()
    return render_template("org/genders/index.html", rows=rows, not_known=GENDER_NOT_KNOWN)


@admin_bp.route("/genders/new", methods=["GET", "POST"])
def gender_new():
    """Add a gender to the picklist."""
    form = GenderForm()
    if form.validate_on_submit():
        try:
            gender = create_gender(form.code.data, form.description.data)
        except ValidationError as exc:
            show_refusal(form, exc, "description")
        else:
            db.session.commit()
            flash(f"Gender {gender.code} ({gender.description}) added.", "success")
            return redirect(url_for("org_admin.genders_index"))
    return render_template("org/genders/form.html", form=form, gender=None)


@admin_bp.route("/genders/<int:gender_id>/edit", methods=["GET", "POST"])
def gender_edit(gender_id: int):
    """Change a gender's code or description."""
    gender = db.get_or_404(Gender, gender_id)
    form = GenderForm(obj=gender)
    if form.validate_on_submit():
        try:
            update_gender(gender, form.code.data, form.description.data)
        except ValidationError as exc:
            db.session.rollback()
            show_refusal(form, exc, "description")
        else:
            db.session.commit()
            flash(f"Saved the changes to {gender.code} ({gender.description}).", "success")
            return redirect(url_for("org_admin.genders_index"))
    return render_template(
        "org/genders/form.html", form=form, gender=gender, not_known=GENDER_NOT_KNOWN
    )
