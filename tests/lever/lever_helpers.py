"""Helpers shared by tests/lever and tests/integration: integrations and Lever's consent screen."""

import re
from urllib.parse import parse_qs, urlsplit

import requests

from lever_cezanne.extensions import db
from lever_cezanne.lever import oauth
from lever_cezanne.lever.tokens import store_tokens
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import AUTH_AUTHORISED
from tests import factories

CALLBACK = "http://localhost/integrations/lever/oauth/callback"
SIGNATURE_TOKEN = "5b2f0c8e1d7a4b3c9e6f0a1b2c3d4e5f60718293a4b5c6d7"


def new_integration(admin_user, company, subdomain="acme", **attrs) -> LeverIntegration:
    """The factory's integration with this module's subdomain and signature token."""
    return factories.integration(admin_user, company, SIGNATURE_TOKEN, subdomain=subdomain, **attrs)


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} on the page"
    return match.group(1)


def answer_consent(authorize_url: str, decision: str = "accept") -> dict:
    """Open Lever's consent screen like a browser, answer it, and return the redirect's query."""
    with requests.Session() as browser:
        page = browser.get(authorize_url, timeout=5)
        assert page.status_code == 200, page.text
        action = authorize_url.split("?", 1)[0]
        answer = browser.post(
            action,
            data={
                "csrf_token": _field(page.text, "csrf_token"),
                "transaction": _field(page.text, "transaction"),
                "decision": decision,
            },
            allow_redirects=False,
            timeout=5,
        )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def authorise(integration: LeverIntegration) -> LeverIntegration:
    """Authorise an integration against the running simulator, without the web screens."""
    url = oauth.authorization_url(CALLBACK, "test-state")
    query = answer_consent(url)
    store_tokens(integration, oauth.exchange_code(query["code"], CALLBACK))
    integration.auth_status = AUTH_AUTHORISED
    db.session.commit()
    return integration
