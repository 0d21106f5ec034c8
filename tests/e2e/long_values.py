"""Seed the live stack with the longest values a user can enter, for the width sweep.

Run in the stack's environment (`python -m tests.e2e.long_values`): it builds the app and writes
through the app's own services and models, as a user or Lever would.
"""

import secrets
from datetime import date

from sqlalchemy import select

UNBROKEN = "Unbrokenwordwithoutanyspaces" * 12  # 336 characters, no place to wrap
LONG_CODE = "LONGCODE-" + "X" * 31  # 40, the longest company code
LONG_PERSON_CODE = "c0ffee00-1a2b-4c3d-8e9f-" + "0123456789abcdef" * 2 + "9999999"
LONG_SUBDOMAIN = "a" + "verylongsubdomain" * 3 + "-" + "x" * 10  # 63, the longest allowed
LONG_USERNAME = "long.user." + "n" * 60


def seed() -> None:
    from lever_cezanne import create_app
    from lever_cezanne.accounts.user_services import create_user
    from lever_cezanne.demo import ensure_gender_not_known
    from lever_cezanne.extensions import db
    from lever_cezanne.integration.services import Details, save_details
    from lever_cezanne.log_entries import add_log_entry
    from lever_cezanne.models import LeverIntegration, Person, ProcessDefinition, Task, User
    from lever_cezanne.org.services import create_company

    app = create_app()
    with app.app_context():
        company = create_company(LONG_CODE, UNBROKEN[:200])
        user = create_user(
            LONG_USERNAME,
            secrets.token_urlsafe(16),
            "hr",
            UNBROKEN[:120],
            "long." + "e" * 60 + "@" + "d" * 60 + ".example.com",
        )
        person = Person(
            person_code=LONG_PERSON_CODE,
            first_name=UNBROKEN[:100],
            surname=UNBROKEN[:100],
            known_as=UNBROKEN[:100],
            full_name=UNBROKEN[:200],
            legal_name=UNBROKEN[:200],
            gender=ensure_gender_not_known(),
            date_of_birth=date(1990, 1, 1),
            external_email="p." + "q" * 60 + "@example.com",
        )
        db.session.add(person)
        db.session.flush()
        alex = db.session.scalar(select(User).where(User.username == "hr.alex"))
        definition = db.session.scalar(select(ProcessDefinition).order_by(ProcessDefinition.id))
        db.session.add(
            Task(definition=definition, person=person, assignee=alex, due_date=date.today())
        )
        long_one = save_details(None, Details(LONG_SUBDOMAIN, secrets.token_hex(24), user, company))
        demo = db.session.scalar(select(LeverIntegration).where(LeverIntegration.id != long_one.id))
        for integration in (demo, long_one):
            add_log_entry(
                integration.id,
                "error",
                f"Lever sent {UNBROKEN} for {person.full_name}: check it in Lever.",
                person_id=person.id,
                opportunity_id="o" + "9" * 63,
            )
        db.session.commit()


if __name__ == "__main__":
    seed()
