"""No cookie session for Lever's webhook API.

Lever posts no cookie and the receiver reads no session, yet Flask opens one for every request:
it builds the cookie's signer and, at the end, saves it. On a webhook that was a tenth of the
receiver's own CPU. Requests under the API's prefix get a fresh, empty session instead: nothing
is read, and nothing is saved unless something wrote to it (an error page, say).
"""

from flask import request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session everywhere but under `api_prefix`."""

    def __init__(self, api_prefix: str):
        self.api_prefix = api_prefix

    def open_session(self, app, request):
        if request.path.startswith(self.api_prefix):
            return self.session_class()  # empty, and no cookie read
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session.modified and request.path.startswith(self.api_prefix):
            return  # nothing was read and nothing written: nothing to save
        super().save_session(app, session, response)
