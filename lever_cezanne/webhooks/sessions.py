"""No cookie session for Lever's webhook API.

Lever posts no cookie and the receiver reads no session, yet Flask opens one for every request:
it builds the cookie's signer and, at the end, saves it. On a webhook that was a tenth of the
receiver's own CPU. Requests under the API's prefix get an empty session instead, never read
from a cookie and never saved: a browser that happens to send its cookie there keeps it as it is.
"""

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from lever_cezanne.webhooks import bp


class NoCookieSession(SecureCookieSession):
    """An API request's session: empty, read from no cookie, never saved."""


class CookieSessionsExceptApi(SecureCookieSessionInterface):
    """Flask's signed-cookie session everywhere but under `api_prefix`."""

    def __init__(self, api_prefix: str):
        self.api_prefix = api_prefix

    def open_session(self, app, request):
        if request.path.startswith(self.api_prefix):
            return NoCookieSession()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if isinstance(session, NoCookieSession):
            return  # it was never the browser's: saving it would replace the browser's cookie
        super().save_session(app, session, response)


def init_app(app) -> None:
    """Open no cookie session for requests to the webhook API."""
    app.session_interface = CookieSessionsExceptApi(bp.url_prefix + "/")
