"""Login and logout."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from lever_cezanne.accounts import bp
from lever_cezanne.accounts.forms import LoginForm
from lever_cezanne.accounts.redirects import is_safe_next
from lever_cezanne.accounts.services import authenticate, end_sessions, find_user
from lever_cezanne.accounts.throttle import Refusal, account_key, login_throttle
from lever_cezanne.extensions import db


def _too_many_attempts(form: LoginForm, refusal: Refusal):
    minutes = max(1, (refusal.retry_after + 59) // 60)
    wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}"
    if refusal.account:  # keyed on the password: a new one starts a fresh count
        message = (
            f"Too many failed sign-in attempts. {wait}, "
            "or ask an Administrator to set a new password."
        )
    else:
        message = f"Too many failed sign-in attempts from your network. {wait}."
    response = render_template("accounts/login.html", form=form, throttled=message)
    return response, 429, {"Retry-After": str(refusal.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("processes.home"))
    form = LoginForm()
    if form.validate_on_submit():
        throttle, found = login_throttle(), find_user(form.username.data)
        # Counted before the password is checked, so simultaneous guesses cannot overtake it.
        held = throttle.attempt(account_key(form.username.data, found), request.remote_addr or "")
        if isinstance(held, Refusal):
            return _too_many_attempts(form, held)
        user = authenticate(found, form.password.data)
        if user is None:
            form.password.errors.append("The username or password is not right.")
            return render_template("accounts/login.html", form=form), 200
        throttle.succeeded(held)
        db.session.commit()
        session.clear()  # a fresh session on login: no fixation
        login_user(user)
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else url_for("processes.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: the session cookie stops working, even a copy taken before."""
    end_sessions(current_user)  # server-side: a captured cookie carries the old version
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.login"))
