"""The suite's one set of factories: each makes a row the way the app would, and commits it.

conftest.py hands them to tests as fixtures (make_user, make_company, ..., make_delivery), each
test with its own numbering, so a test's rows are named user1, CO1, P00001, ... in order.
"""

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from lever_cezanne.accounts.user_services import create_user
from lever_cezanne.crypto import encrypt
from lever_cezanne.extensions import db
from lever_cezanne.models import (
    Employment,
    Gender,
    LeverIntegration,
    Person,
    Task,
    WebhookDelivery,
)
from lever_cezanne.models.base import utcnow
from lever_cezanne.org.services import create_company
from lever_cezanne.processes.definition_services import create_process_definition

PASSWORD = "correct-horse-battery"
SIGNATURE_TOKEN = "signature-token"


def integration(
    admin_user, company=None, signature_token=SIGNATURE_TOKEN, subdomain="CezanneHR", **attrs
) -> LeverIntegration:
    """An integration, not authorised in Lever, whose signature token is `signature_token`."""
    found = LeverIntegration(
        subdomain=subdomain,
        signature_token_encrypted=encrypt(signature_token),
        signature_token_last4=signature_token[-4:],
        admin_user=admin_user,
        default_company=company,
        **attrs,
    )
    db.session.add(found)
    db.session.commit()
    return found


class Factories:
    """Factories numbering what they make from 1, for one test."""

    def __init__(self):
        self._numbers = {kind: itertools.count(1) for kind in ("user", "company", "person")}
        self._delivery_numbers = itertools.count(1)
        self._definition = None

    def user(self, role="hr", username=None, password=PASSWORD, **attrs):
        username = username or f"user{next(self._numbers['user'])}"
        found = create_user(
            username, password, role, attrs.pop("display_name", None), attrs.pop("email", None)
        )
        for key, value in attrs.items():
            setattr(found, key, value)
        db.session.commit()
        return found

    def company(self, code=None, name=None, active=True):
        n = next(self._numbers["company"])
        found = create_company(code or f"CO{n}", name or f"Company {n}", active=active)
        db.session.commit()
        return found

    def process(self, name="Enter a New Starter", type_="with_absences", active=True,
                created_at=None):  # fmt: skip
        definition = create_process_definition(name, type_, active)
        if created_at is not None:
            definition.created_at = created_at
        db.session.commit()
        return definition

    def person(self, first="Grace", surname="Hopper", code=None, email=None, **attrs):
        n = next(self._numbers["person"])
        found = Person(
            person_code=code or f"P{n:05}",
            first_name=first,
            surname=surname,
            known_as=first,
            full_name=f"{first} {surname}",
            legal_name=f"{first} {surname}",
            gender=db.session.scalar(select(Gender).where(Gender.code == "U")),
            external_email=email,
            **{"date_of_birth": date(1990, 5, 17), **attrs},
        )
        db.session.add(found)
        db.session.commit()
        return found

    def employment(self, person, company, hire_date=date(2026, 3, 2), termination_date=None):
        found = Employment(
            person=person,
            company=company,
            employment_id=person.person_code,
            hire_date=hire_date,
            termination_date=termination_date,
        )
        db.session.add(found)
        db.session.commit()
        return found

    def task(self, person, assignee, status="open", due_date=None):
        """A New Starter task; the test's first call makes the process definition they share."""
        if self._definition is None:
            self._definition = self.process()
        found = Task(
            definition=self._definition,
            person=person,
            assignee=assignee,
            status=status,
            due_date=due_date or date(2026, 3, 2),
        )
        db.session.add(found)
        db.session.commit()
        return found

    integration = staticmethod(integration)

    def delivery(
        self,
        integration,
        opportunity_id="opp-1",
        *,
        status="processing",
        attempts=0,
        lapses=0,
        age=timedelta(minutes=3),
        lease=None,
        contact_id="contact-1",
    ) -> WebhookDelivery:
        """A stored Candidate Hired delivery, last touched `age` ago, whose lease (or queue
        deadline) ends in `lease`."""
        found = WebhookDelivery(
            integration_id=integration.id,
            token_hash=f"{next(self._delivery_numbers):064d}",
            event="candidateHired",
            opportunity_id=opportunity_id,
            contact_id=contact_id,
            triggered_at=1700000000123,
            payload="{}",
            status=status,
            attempts=attempts,
            lapses=lapses,
            updated_at=utcnow() - age,
            claimed_until=None if lease is None else utcnow() + lease,
        )
        db.session.add(found)
        db.session.commit()
        return found
