"""The Administrator's Integrations health home page, and the HR Professional's home."""

from datetime import timedelta

from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import Person, Task, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    AUTH_AUTHORISED,
    LEVEL_ERROR,
    LEVEL_INFORMATION,
    DeliveryStatus,
)
from lever_cezanne.models.processes import TASK_COMPLETED
from tests.lever.lever_helpers import new_integration


def _person(db, n):
    gender_id = db.session.execute(db.text("SELECT id FROM genders LIMIT 1")).scalar()
    person = Person(
        person_code=f"P{n:04d}",
        first_name="Ana",
        surname=f"Number{n}",
        known_as="Ana",
        full_name=f"Ana Number{n}",
        legal_name=f"Ana Number{n}",
        gender_id=gender_id,
        date_of_birth=utcnow().date(),
    )
    db.session.add(person)
    db.session.flush()
    return person


def _hire(db, integration, n, days_ago, status=DeliveryStatus.COMPLETED):
    """A delivery completed days_ago; a completed one reached a person, as a real hire does."""
    delivery = WebhookDelivery(
        integration_id=integration.id,
        token_hash=f"{n:064d}",
        event="candidateHired",
        opportunity_id=f"opp-{n}",
        triggered_at=1700000000000 + n,
        payload="{}",
        status=status,
        received_at=utcnow() - timedelta(days=days_ago),
        completed_at=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(delivery)
    db.session.flush()
    if status == DeliveryStatus.COMPLETED:
        person = _person(db, n)
        add_log_entry(
            integration.id,
            LEVEL_INFORMATION,
            "started",
            person_id=person.id,
            delivery_id=delivery.id,
        )
    else:
        add_log_entry(integration.id, LEVEL_ERROR, "failed", delivery_id=delivery.id)
    db.session.commit()
    return delivery


def test_administrators_start_at_the_health_view(client, admin, login_as):
    login_as(admin)
    response = client.get("/")
    assert response.headers["Location"].endswith("/integrations/lever/health")


def test_health_shows_state_activity_errors_waiting_and_warnings(
    client, db, admin, login_as, hr_user, company, process
):
    integration = new_integration(
        hr_user, company, auth_status=AUTH_AUTHORISED, authorised_at=utcnow()
    )
    _hire(db, integration, 1, days_ago=2)
    _hire(db, integration, 2, days_ago=10)
    _hire(db, integration, 3, days_ago=40)
    _hire(db, integration, 4, days_ago=1, status=DeliveryStatus.FAILED)
    _hire(db, integration, 5, days_ago=0, status=DeliveryStatus.QUEUED)
    company.active = False
    db.session.commit()
    login_as(admin)
    html = client.get("/integrations/lever/health").get_data(as_text=True)

    assert "Integrations health" in html and "Lever › acme" in html
    assert 'data-state="needs_attention">Needs attention</span>' in html
    assert 'data-hires-7="1" data-hires-30="2"' in html
    assert 'data-open-errors="2"' in html and "2 open errors" in html
    assert f"/integrations/lever/{integration.id}/log?level=error&amp;open=1" in html
    assert 'data-waiting="1" data-held="0"' in html
    assert 'data-warning="company_unusable"' in html and "Choose another company" in html
    assert "Last hire completed" in html and "None yet" not in html


def test_health_counts_held_deliveries_of_a_paused_integration(
    client, db, admin, login_as, hr_user, company, process
):
    integration = new_integration(
        hr_user, company, auth_status=AUTH_AUTHORISED, authorised_at=utcnow(), paused_at=utcnow()
    )
    _hire(db, integration, 1, days_ago=0, status=DeliveryStatus.HELD)
    login_as(admin)
    html = client.get("/integrations/lever/health").get_data(as_text=True)
    assert 'data-state="paused">Paused</span>' in html
    assert 'data-held="1"' in html and "1 held while paused" in html


def test_health_is_for_administrators_only(client, hr_user, login_as):
    login_as(hr_user)
    assert client.get("/integrations/lever/health").status_code == 403


def test_hr_professionals_start_at_their_open_tasks_with_a_count_in_the_nav(
    client, db, hr_user, login_as, process
):
    mine = [
        Task(
            definition_id=process.id,
            person_id=_person(db, n).id,
            assignee_id=hr_user.id,
            due_date=utcnow().date(),
        )
        for n in (1, 2, 3)
    ]
    mine[2].status = TASK_COMPLETED
    db.session.add_all(mine)
    db.session.commit()
    login_as(hr_user)
    html = client.get("/").get_data(as_text=True)
    assert "Your open New Starter tasks" in html
    assert "Ana Number1" in html and "Ana Number2" in html and "Ana Number3" not in html
    assert 'data-open-tasks="2"' in html
    people = client.get("/people").get_data(as_text=True)
    assert 'data-open-tasks="2"' in people  # the count is on every page's navigation
