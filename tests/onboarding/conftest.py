"""Rule fixtures: an integration, a stored delivery and a mapped New Starter, no Lever needed."""

from datetime import date

import pytest

from lever_cezanne.models import WebhookDelivery
from lever_cezanne.onboarding.mapping import map_new_starter


@pytest.fixture
def integration(make_integration, company, new_hire_admin):
    return make_integration(new_hire_admin, company)


@pytest.fixture
def make_delivery(db, integration):
    counter = iter(range(1, 10000))

    def make(opportunity_id="opp-1"):
        delivery = WebhookDelivery(
            integration_id=integration.id,
            token_hash=f"{next(counter):064d}",
            event="candidateHired",
            opportunity_id=opportunity_id,
            contact_id="contact-1",
            triggered_at=1700000000123,
            payload="{}",
            status="processing",
        )
        db.session.add(delivery)
        db.session.commit()
        return delivery

    return make


@pytest.fixture
def starter():
    def make(name="Cosima Niehaus", contact_id="contact-1", email="cosima@example.com", **kw):
        opportunity = {
            "id": kw.pop("opportunity_id", "opp-1"),
            "name": name,
            "contact": {
                "id": contact_id,
                "name": name,
                "emails": [email] if email else [],
                "phones": [{"type": "work", "value": "020 7946 0000"}],
            },
        }
        return map_new_starter(
            opportunity,
            None,
            today=kw.pop("today", date(2024, 7, 1)),
            timezone="Europe/London",
            use_offer=False,
        )

    return make
