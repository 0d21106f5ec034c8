"""Error pages that look like the app."""

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page. Ask an Administrator."),
    404: ("Not found", "This page does not exist, or what it showed has been deleted."),
    405: ("Not allowed", "That action cannot be done this way. Go back and use the buttons."),
    413: ("Too large", "What was sent is larger than this page accepts."),
    500: ("Something went wrong", "The problem has been logged. Try again in a minute."),
}


class InputRefused(BadRequest):
    """Bad input refused with a message written for the person who sent it."""


def _render(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message or default)


def register_errorhandlers(app) -> None:
    """Render 400/403/404/405/413/500 and CSRF failures with the app's layout."""
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: (_render(code), code))

    @app.errorhandler(InputRefused)
    def _input_refused(exc):
        return _render(400, exc.description), 400

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        message = (
            "This form has expired or was not sent from this site. Reload the page and try again."
        )
        return _render(400, message), 400

    @app.errorhandler(500)
    def _server_error(exc):
        log.error("unhandled error: %s", getattr(exc, "original_exception", exc))
        return _render(500), 500
