"""What the Details page and its buttons tell a new user: URL, kept token, confirmations."""

import re

from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow


def _new_page(client) -> str:
    return client.get("/integrations/lever/new").get_data(as_text=True)


def test_add_new_says_when_the_url_appears_and_gives_the_script_its_base(client, admin, login_as):
    login_as(admin)
    html = _new_page(client)

    assert "the full URL appears here after you Save" in html
    assert 'data-webhook-base="http://localhost/cezannehr/api/v4/Lever/webhook/"' in html
    assert "js/webhook-url.js" in html


def test_a_refused_form_keeps_the_typed_token_masked_and_uncached(client, admin, login_as, details):
    login_as(admin)
    response = client.post("/integrations/lever/new", data=details | {"subdomain": "bad sub"})
    html = response.get_data(as_text=True)

    token_input = re.search(r'<input[^>]*id="signature_token"[^>]*>', html).group(0)
    assert 'type="password"' in token_input
    assert f'value="{details["signature_token"]}"' in token_input
    assert response.headers["Cache-Control"] == "no-store"
    # The error summary leads to the field; no raw status code anywhere.
    assert '<a href="#subdomain">' in html and "There is a problem" in html


def test_webhook_line_says_whether_a_webhook_ever_arrived(client, db, admin, login_as, integration):
    login_as(admin)
    url = f"/integrations/lever/{integration.id}/details"
    assert "no webhook has arrived yet" in client.get(url).get_data(as_text=True)

    db.session.add(
        WebhookDelivery(
            integration_id=integration.id,
            token_hash="a" * 64,
            event="candidateHired",
            triggered_at=1,
            payload="{}",
            received_at=utcnow(),
        )
    )
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "The last Candidate Hired webhook arrived" in html
    assert "no webhook has arrived yet" not in html
