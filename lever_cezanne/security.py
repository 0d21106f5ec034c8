"""Security headers on every response, and input no page can store or search."""

from flask import request

from lever_cezanne.errors import InputRefused

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


NUL_REFUSED = (
    "What you typed or followed contains an invisible control character (a null byte) that "
    "cannot be searched or saved. Remove it, or type the text again, and try once more."
)


def _refuse_nul_characters() -> None:
    """Answer 400 to a NUL in the query string or a form: PostgreSQL cannot take it in text."""
    if request.blueprint == "webhooks":
        return  # the receiver reads its JSON body itself and answers in JSON
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        raise InputRefused(NUL_REFUSED)


def register_input_checks(app) -> None:
    """Refuse input that would fail in the database instead of showing a server error."""
    app.before_request(_refuse_nul_characters)


def register_headers(app) -> None:
    """Add CSP, nosniff, referrer policy, no-store and (in production) HSTS to every response."""
    production = app.config["APP_ENV"] == "production"

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages show personal data (and the CSV export is all of it): no browser or proxy may
            # keep a copy, e.g. for the next person at a shared computer to find in the history.
            headers.setdefault("Cache-Control", "no-store")
        return response
