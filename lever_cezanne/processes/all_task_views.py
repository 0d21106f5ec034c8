"""Every New Starter task, for Administrators."""

from flask import render_template, request
from sqlalchemy import func, select

from lever_cezanne.core.pagination import KeysetPage
from lever_cezanne.extensions import db
from lever_cezanne.models import User
from lever_cezanne.processes import admin_bp
from lever_cezanne.processes.forms import AllTasksFilterForm
from lever_cezanne.processes.task_queries import tasks_page


def _assignee(form: AllTasksFilterForm) -> User | None:
    """Resolve the typed assignee (any user not deleted, so past assignees can be found)."""
    typed = (form.assignee.data or "").strip().lower()
    return db.session.scalar(
        select(User).where(func.lower(User.username) == typed, User.deleted_at.is_(None))
    )


@admin_bp.route("/tasks")
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
            "processes/all_tasks.html", page=KeysetPage([]), filters=form, args=args
        )
    page = tasks_page(
        assignee.id if assignee else None,
        args.get("status", ""),
        args.get("q", ""),
        request.args.get("after"),
        request.args.get("before"),
        args.get("sort", ""),
    )
    return render_template("processes/all_tasks.html", page=page, filters=form, args=args)
