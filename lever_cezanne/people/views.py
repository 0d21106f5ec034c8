"""People screens: the searchable list and a person's page."""

from urllib.parse import urlsplit

from flask import render_template, request
from flask_login import current_user

from lever_cezanne.extensions import db
from lever_cezanne.models import Person
from lever_cezanne.people import bp
from lever_cezanne.people.document_views import may_download
from lever_cezanne.people.history import person_history
from lever_cezanne.people.queries import people_page, person_documents
from lever_cezanne.processes.task_queries import person_tasks
from lever_cezanne.processes.task_services import may_act_on

MAX_SEARCH_LENGTH = 100


@bp.route("/people")
def people_index():
    """List people newest first, searchable by name, person code or e-mail."""
    q = request.args.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    page = people_page(q, request.args.get("after"), request.args.get("before"))
    return render_template("people/index.html", page=page, q=q)


@bp.route("/people/<int:person_id>")
def person_show(person_id: int):
    """Show a person's Personal Information, Employment Details and New Starter tasks."""
    person = db.get_or_404(Person, person_id)
    tasks = person_tasks(person)
    editable = [t for t in tasks if t.is_open and may_act_on(t, current_user)]
    return render_template(
        "people/show.html",
        person=person,
        tasks=tasks,
        editable_task=editable[0] if editable else None,
        history=person_history(person),
        lever_url=_safe_link(person.lever_opportunity_url),
        documents=person_documents(person),
        may_download=may_download(person.id, current_user),
    )


def _safe_link(url: str | None) -> str | None:
    """Return the URL only if it is a plain web link (never javascript: or data:)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None
