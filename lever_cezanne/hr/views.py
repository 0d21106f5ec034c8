"""People and tasks screens."""

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from lever_cezanne.extensions import db
from lever_cezanne.hr import bp
from lever_cezanne.models import Person, Task


@bp.route("/")
def home():
    """Start at the people list."""
    return redirect(url_for("hr.people_index"))


@bp.route("/people")
def people_index():
    """List people, newest first."""
    people = db.session.scalars(select(Person).order_by(Person.id.desc()).limit(50)).all()
    return render_template("hr/people/index.html", people=people)


@bp.route("/tasks/mine")
def tasks_mine():
    """List the signed-in user's New Starter tasks, open first."""
    tasks = db.session.scalars(
        select(Task)
        .where(Task.assignee_id == current_user.id)
        .order_by(Task.status.desc(), Task.id.desc())
        .limit(50)
    ).all()
    return render_template("hr/tasks/mine.html", tasks=tasks)
