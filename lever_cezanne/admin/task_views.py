"""Every New Starter task, for Administrators."""

from flask import render_template, request
from sqlalchemy import func, select

from lever_cezanne.admin import bp
from lever_cezanne.admin.forms import AllTasksFilterForm
from lever_cezanne.extensions import db
from lever_cezanne.hr.pagination import KeysetPage
from lever_cezanne.hr.queries import tasks_page
from lever_cezanne.models import User


def _assignee(form: AllTasksFilterForm) -> User | None:
    """Resolve the typed assignee (any user not deleted, so past assignees can be found)."""
    typed = (form.assignee.data or "").strip().lower()
    return db.session.scalar(
        select(User).where(func.lower(User.username) == typed, User.deleted_at.is_(None))
    )


@bp.route("/tasks")
def tasks_index():
    """List every New Starter task, open first, filtered by status, person and assignee."""
    form = AllTasksFilterForm(request.args)
    args = form.active_filters() if form.validate() else {}
    assignee = _assignee(form) if "assignee" in args else None
    if "assignee" in args and assignee is None:
        form.assignee.errors.append(
            f"No user has the username '{args['assignee']}'. "
            "Type a name or username and choose from the list."
        )
        return render_template(
            "admin/tasks/index.html", page=KeysetPage([]), filters=form, args=args
        )
    page = tasks_page(
        assignee.id if assignee else None,
        args.get("status", ""),
        args.get("q", ""),
        request.args.get("after"),
        request.args.get("before"),
        args.get("sort", ""),
    )
    return render_template("admin/tasks/index.html", page=page, filters=form, args=args)
