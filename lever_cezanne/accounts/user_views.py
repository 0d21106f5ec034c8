"""Users: list, create, edit, role, access, password and delete."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, or_, select

from lever_cezanne.accounts import admin_bp, user_services
from lever_cezanne.accounts.forms import NewUserForm, PasswordForm, UserForm
from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.core.forms import show_refusal
from lever_cezanne.core.lookups import get_live_or_404
from lever_cezanne.core.pagination import numbered_page
from lever_cezanne.core.search import starts_with
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.models import LeverIntegration, User

PER_PAGE = 50


def _back(message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("accounts_admin.users_index"))


@admin_bp.route("/users")
def users_index():
    """List users that are not deleted, searchable by name, username or e-mail."""
    q = request.args.get("q", "").strip()[:100]
    query = select(User).where(User.deleted_at.is_(None)).order_by(func.lower(User.username))
    if q:
        by = (User.display_name, User.username, User.email)
        query = query.where(or_(*(starts_with(column, q) for column in by)))
    users = numbered_page(query, PER_PAGE)
    return render_template("accounts/users/index.html", users=users, q=q)


@admin_bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create a user."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.username.data,
                form.password.data,
                form.role.data,
                form.display_name.data,
                form.email.data,
            )
        except ValidationError as exc:
            show_refusal(form, exc, "username")
        else:
            db.session.commit()
            return _back(f"{user.display_name} can now sign in as {user.username}.")
    return render_template("accounts/users/new.html", form=form)


@admin_bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Change a user's details and role."""
    user = get_live_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            user_services.update_user(
                user, form.username.data, form.display_name.data, form.email.data, form.role.data
            )
        except ValidationError as exc:
            db.session.rollback()
            show_refusal(form, exc, "role")
        else:
            db.session.commit()
            if user.id == current_user.id and not user.is_administrator:
                flash("You are now an HR Professional and no longer an Administrator.", "info")
                return redirect(url_for("processes.home"))
            return _back(f"Saved the changes to {user.display_name}.")
    return render_template("accounts/users/edit.html", form=form, user=user)


@admin_bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    """Set a new password; the user is signed out everywhere else."""
    user = get_live_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        user_services.set_password(user, form.password.data)
        db.session.commit()
        if user.id == current_user.id:
            login_user(user)  # keep this session: it now carries the new session version
        return _back(f"New password set for {user.display_name}. Their other sessions ended.")
    return render_template("accounts/users/password.html", form=form, user=user)


@admin_bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: int):
    """Ask, then deactivate a user: they are signed out and cannot sign in or be chosen."""
    user = get_live_or_404(User, user_id)
    if request.method == "GET":
        return render_template(
            "accounts/users/deactivate.html",
            user=user,
            integrations=_integrations_administered(user),
        )
    return _set_active(user, False)


def _integrations_administered(user: User) -> list[LeverIntegration]:
    """Return the Lever integrations whose New Hire Administrator is this user."""
    query = select(LeverIntegration).where(
        LeverIntegration.admin_user_id == user.id, LeverIntegration.deleted_at.is_(None)
    )
    return list(db.session.scalars(query))


@admin_bp.route("/users/<int:user_id>/activate", methods=["POST"])
def user_activate(user_id: int):
    """Reactivate a user."""
    return _set_active(get_live_or_404(User, user_id), True)


def _set_active(user: User, active: bool):
    try:
        user_services.set_user_active(user, active, actor=current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _back(str(exc), "error")
    db.session.commit()
    if active:
        return _back(f"{user.display_name} can sign in again.")
    return _back(f"{user.display_name} is deactivated and has been signed out.")


@admin_bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
def user_delete(user_id: int):
    """Ask, then soft-delete a user."""
    user = get_live_or_404(User, user_id)
    if request.method == "GET":
        return render_template(
            "accounts/users/delete.html", user=user, integrations=_integrations_administered(user)
        )
    try:
        user_services.delete_user(user, actor=current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _back(str(exc), "error")
    db.session.commit()
    return _back(
        f"{user.display_name} is deleted. Their history stays; they can no longer sign in."
    )
