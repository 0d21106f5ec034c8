"""Settings pages: the webhook, the delivery log, authorized apps and fault injection."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from .store import NotFound

bp = Blueprint("settings", __name__)


def _store():
    return current_app.extensions["lever_sandbox"]


@bp.get("/webhooks")
def webhook_show():
    """Show the Candidate Hired webhook with its signature token."""
    return render_template("sandbox/webhooks.html", webhook=_store().webhook())


@bp.post("/webhooks")
def webhook_update():
    """Set the Candidate Hired webhook URL (empty turns sending off)."""
    url = request.form.get("url", "").strip()
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        flash("Enter an http:// or https:// URL, or leave it empty.", "error")
    else:
        _store().set_webhook_url(url)
        flash("Webhook URL saved.", "success")
    return redirect(url_for(".webhook_show"))


@bp.post("/webhooks/regenerate")
def webhook_regenerate():
    """Replace the signature token; the receiver must be given the new one."""
    _store().regenerate_signature_token()
    flash("New signature token generated. Copy it to the receiving app.", "success")
    return redirect(url_for(".webhook_show"))


@bp.post("/webhooks/test")
def webhook_test():
    """Send Lever's test request and report how it went."""
    delivery = _store().ping()
    if delivery is None:
        flash("Set a webhook URL first.", "error")
    else:
        flash(f"Test request: {_outcome(delivery)}.", "info")
    return redirect(url_for(".webhook_show"))


def _outcome(delivery: dict) -> str:
    """Describe a delivery's state for a flash message."""
    if delivery["status"] == "pending":
        return "queued (see Deliveries for the result)"
    return delivery["status"]


@bp.get("/deliveries")
def delivery_list():
    """List webhook deliveries, newest first."""
    return render_template("sandbox/deliveries.html", deliveries=_store().delivery_log()[:500])


@bp.post("/deliveries/<delivery_id>/rerun")
def delivery_rerun(delivery_id):
    """Send a delivery's body again."""
    try:
        delivery = _store().rerun(delivery_id)
    except NotFound:
        delivery = None
    if delivery is None:
        flash("No such delivery.", "error")
    else:
        flash(f"Rerun: {_outcome(delivery)}.", "info")
    return redirect(url_for(".delivery_list"))


@bp.get("/apps")
def app_list():
    """List the apps holding live authorizations."""
    return render_template("sandbox/apps.html", apps=_store().oauth.authorized_apps())


@bp.post("/apps/revoke")
def app_revoke():
    """Revoke an app: its refresh tokens and access tokens stop working."""
    count = _store().revoke(request.form.get("client_id") or None)
    flash(f"Access revoked ({count} authorization{'s' if count != 1 else ''}).", "success")
    return redirect(url_for(".app_list"))


@bp.route("/faults", methods=["GET", "POST"])
def fault_settings():
    """Show and change injected failures, latency, the rate limit and token lifetime."""
    store = _store()
    if request.method == "POST":
        try:
            _apply_fault_form(store, request.form)
        except ValueError:
            flash("Enter numbers: shares from 0 to 1, milliseconds and seconds.", "error")
        else:
            flash("Settings saved.", "success")
        return redirect(url_for(".fault_settings"))
    return render_template("sandbox/faults.html", settings=store.settings)


def _apply_fault_form(store, form) -> None:
    """Validate every field first, then apply them together."""
    rate_500, rate_429 = float(form["fault_500_rate"]), float(form["fault_429_rate"])
    latency, ttl = int(form["latency_ms"]), int(form["access_token_ttl"])
    rate = float(form["rate_limit"] or 0)
    burst = int(form["rate_burst"])
    if not (0 <= rate_500 <= 1 and 0 <= rate_429 <= 1 and rate_500 + rate_429 <= 1):
        raise ValueError("shares")
    if latency < 0 or ttl < 1 or rate < 0 or burst < 1:
        raise ValueError("range")
    store.set_faults(rate_500, rate_429, latency)
    store.set_rate_limit(rate, burst)
    store.set_access_token_ttl(ttl)
