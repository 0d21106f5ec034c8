"""Edit anyone's Personal Information and Contact Details (Administrators)."""

from flask import redirect, render_template, url_for

from lever_cezanne.admin import bp
from lever_cezanne.extensions import db
from lever_cezanne.hr.forms import PersonEditForm
from lever_cezanne.hr.task_edit_views import gender_choices, save_person_form
from lever_cezanne.models import Person


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int):
    """Edit a person's personal details."""
    person = db.get_or_404(Person, person_id)
    form = PersonEditForm(obj=person)
    form.gender_id.choices = gender_choices()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = save_person_form(form, person)
        if status is None:
            return redirect(url_for("hr.person_show", person_id=person.id))
    back = url_for("hr.person_show", person_id=person.id)
    return render_template(
        "hr/people/edit.html", form=form, person=person, task=None, back=back
    ), status
