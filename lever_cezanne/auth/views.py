"""Login and logout."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from lever_cezanne.auth import bp
from lever_cezanne.auth.forms import LoginForm
from lever_cezanne.auth.redirects import is_safe_next
from lever_cezanne.auth.services import authenticate
from lever_cezanne.auth.throttle import login_throttle
from lever_cezanne.extensions import db


def _too_many_attempts(form: LoginForm, retry_after: int):
    minutes = max(1, (retry_after + 59) // 60)
    message = (
        f"Too many failed sign-in attempts. Try again in {minutes} minute"
        f"{'s' if minutes != 1 else ''}, or ask an Administrator to set a new password."
    )
    response = render_template("auth/login.html", form=form, throttled=message)
    return response, 429, {"Retry-After": str(retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("hr.people_index"))
    form = LoginForm()
    if form.validate_on_submit():
        throttle, ip = login_throttle(), request.remote_addr or ""
        retry_after = throttle.retry_after(form.username.data, ip)
        if retry_after:
            return _too_many_attempts(form, retry_after)
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            throttle.record_failure(form.username.data, ip)
            form.password.errors.append("The username or password is not right.")
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        session.clear()  # a fresh session on login: no fixation
        login_user(user)
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else url_for("hr.people_index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out."""
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
