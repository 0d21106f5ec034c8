"""The organisation a pipeline needs: administrator, company, New Starter process, integration."""

import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import redis
import requests

from benchmarks.helpers import REDIS_URL, make_app

SUBDOMAIN = "bench"


def seed_organisation(url: str, signature_token: str) -> int:
    """Create what a hire needs through the app's own services; return the integration id."""
    from lever_cezanne.accounts.user_services import create_user
    from lever_cezanne.crypto import encrypt
    from lever_cezanne.extensions import db
    from lever_cezanne.models import LeverIntegration
    from lever_cezanne.org.services import create_company
    from lever_cezanne.processes.definition_services import create_process_definition

    app = make_app(url)
    with app.app_context():
        admin = create_user("bench.admin", secrets.token_urlsafe(16), "administrator", "Dana Admin")
        company = create_company("BENCH", "Benchmark Ltd")
        create_process_definition("Enter a New Starter", "with_absences", True)
        integration = LeverIntegration(
            subdomain=SUBDOMAIN,
            signature_token_encrypted=encrypt(signature_token),
            signature_token_last4=signature_token[-4:],
            admin_user=admin,
            default_company=company,
        )
        db.session.add(integration)
        db.session.commit()
        integration_id = integration.id
        db.session.remove()
        db.engine.dispose()
    return integration_id


def webhook_path() -> str:
    return f"/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}"


def signed_body(signature_token: str, opportunity_id: str, contact_id: str) -> str:
    """A candidateHired body as Lever signs it (lever-api.md §4.4), with a fresh token."""
    token = secrets.token_hex(24)
    triggered_at = int(time.time() * 1000)
    signature = hmac.new(
        signature_token.encode(), f"{token}{triggered_at}".encode(), hashlib.sha256
    ).hexdigest()
    body = {
        "triggeredAt": triggered_at,
        "event": "candidateHired",
        "signature": signature,
        "token": token,
        "data": {
            "opportunityId": opportunity_id,
            "candidateId": opportunity_id,
            "contactId": contact_id,
        },
    }
    return json.dumps(body, separators=(",", ":"))


def flush_redis() -> None:
    """Empty our own Redis database (REDIS_URL's number) before a run."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


CALLBACK = "http://localhost/integrations/lever/oauth/callback"


def lever_config(simulator: str) -> dict:
    """Point every Lever endpoint of our app at the simulator (as env vars and as config)."""
    return {
        "LEVER_ENVIRONMENT": "production",
        "LEVER_AUTHORIZE_URL": f"{simulator}/authorize",
        "LEVER_TOKEN_URL": f"{simulator}/oauth/token",
        "LEVER_API_URL": f"{simulator}/v1",
        "LEVER_AUDIENCE": f"{simulator}/v1/",
    }


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    if not match:
        raise RuntimeError(f"Lever's consent page has no {name}")
    return match.group(1)


def authorise(url: str, integration_id: int, simulator: str) -> None:
    """Run the OAuth code flow against the simulator, as an Administrator's browser would."""
    from lever_cezanne.extensions import db
    from lever_cezanne.lever import oauth
    from lever_cezanne.lever.tokens import load_integration, store_tokens
    from lever_cezanne.models.integration import AUTH_AUTHORISED

    app = make_app(url, **lever_config(simulator))
    with app.app_context():
        consent_url = oauth.authorization_url(CALLBACK, "bench-state")
        with requests.Session() as browser:
            page = browser.get(consent_url, timeout=10).text
            answer = browser.post(
                consent_url.split("?", 1)[0],
                data={
                    "csrf_token": _field(page, "csrf_token"),
                    "transaction": _field(page, "transaction"),
                    "decision": "accept",
                },
                allow_redirects=False,
                timeout=10,
            )
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        integration = load_integration(integration_id)
        store_tokens(integration, oauth.exchange_code(query["code"][0], CALLBACK))
        integration.auth_status = AUTH_AUTHORISED
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
