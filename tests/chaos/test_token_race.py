"""Four workers meet an expired access token at once: one call to Lever's token endpoint. After a
revoke: one clear Error per delivery and no retry storm against Lever.
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lever_cezanne import extensions
from lever_cezanne.deliveries.process import REAUTHORISE, process_delivery
from lever_cezanne.models import LeverIntegration, LogEntry, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_NEEDS_REAUTHORISATION
from tests.lever.lever_helpers import authorise, new_integration

# Refreshes racing on threads need data committed for real.
pytestmark = pytest.mark.committed

WORKERS = 4


@pytest.fixture
def integration(db, app, lever_server, make_user, make_company, make_process):
    if db.engine.dialect.name != "postgresql":
        print("skipping: the token race needs PostgreSQL row locks (set TEST_DATABASE_URL)")
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    make_process()
    found = new_integration(make_user("hr", username="nina"), make_company(code="ACME"))
    return authorise(found)


@pytest.fixture
def hired_deliveries(db, lever_server, integration):
    """Hire n candidates in the simulator and store one received delivery for each."""
    counter = iter(range(1, 1000))
    integration_id = integration.id

    def make(n: int) -> list[int]:
        ids = []
        for _ in range(n):
            number = next(counter)
            opportunity_id = lever_server.store.add_candidate(
                {"name": f"Racer Number{number}", "emails": [f"racer{number}@example.com"]}
            )
            lever_server.store.hire(opportunity_id)  # no webhook URL: only the archive state
            delivery = WebhookDelivery(
                integration_id=integration_id,
                token_hash=f"{number:064x}",
                event="candidateHired",
                opportunity_id=opportunity_id,
                triggered_at=1700000000000 + number,
                payload="{}",
            )
            db.session.add(delivery)
            db.session.commit()
            ids.append(delivery.id)
        db.session.remove()  # the workers' transactions must not wait on ours
        return ids

    return make


def run_at_once(app, delivery_ids: list[int]) -> list:
    """Run process_delivery on one thread per delivery, released together by a barrier."""
    start = threading.Barrier(len(delivery_ids))
    results: list = []

    def work(delivery_id):
        with app.app_context():  # each worker: its own app context, session and connection
            try:
                start.wait(10)
                # Not the final attempt: a transient failure would raise RetryLater (a retry).
                results.append(process_delivery(delivery_id, final_attempt=False))
            except Exception as exc:  # a thread cannot fail the test: report it instead
                results.append(exc)
            finally:
                extensions.db.session.remove()

    threads = [threading.Thread(target=work, args=(d,)) for d in delivery_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _errors_by_delivery(db, delivery_ids) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(LogEntry.delivery_id, LogEntry.message).where(
            LogEntry.level == "error", LogEntry.delivery_id.in_(delivery_ids)
        )
    ).all()
    found = {d: [] for d in delivery_ids}
    for delivery_id, message in rows:
        found[delivery_id].append(message)
    return found


def test_expired_token_is_refreshed_once_then_a_revoke_stops_cleanly(
    app, db, lever_server, integration, hired_deliveries
):
    counters = lever_server.store.counters
    integration_id = integration.id
    integration.access_token_expires_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    racing = hired_deliveries(WORKERS)
    refreshes_before = counters["token_calls_refresh_token"]

    results = run_at_once(app, racing)
    race_refreshes = counters["token_calls_refresh_token"] - refreshes_before

    lever_server.store.revoke()
    revoked = hired_deliveries(WORKERS)
    token_calls_before, api_calls_before = counters["token_calls"], counters["api_calls"]
    revoked_results = run_at_once(app, revoked)
    token_calls_after_revoke = counters["token_calls"] - token_calls_before
    api_calls_after_revoke = counters["api_calls"] - api_calls_before

    later = hired_deliveries(6)
    calls_before = counters["token_calls"] + counters["api_calls"]
    later_results = [process_delivery(d, final_attempt=False) for d in later]
    calls_for_later = counters["token_calls"] + counters["api_calls"] - calls_before

    errors = _errors_by_delivery(db, racing + revoked + later)
    integration_now = db.session.get(LeverIntegration, integration_id)
    figures = {
        "race_results": results,
        "token_endpoint_calls_in_race": race_refreshes,
        "revoked_results": revoked_results,
        "token_endpoint_calls_after_revoke": token_calls_after_revoke,
        "api_calls_after_revoke": api_calls_after_revoke,
        "lever_calls_for_6_later_deliveries": calls_for_later,
        "error_rows_per_delivery": {d: len(m) for d, m in errors.items()},
        "auth_status": integration_now.auth_status,
    }
    print(f"\nTOKEN RACE FIGURES: {figures}")

    assert results == ["completed"] * WORKERS, figures
    assert race_refreshes == 1, figures
    assert revoked_results == ["failed"] * WORKERS, figures
    assert later_results == ["failed"] * 6, figures
    assert token_calls_after_revoke <= 1, figures
    assert api_calls_after_revoke <= WORKERS, figures
    assert calls_for_later == 0, figures  # no retry storm: Lever is not called again
    assert all(not messages for d, messages in errors.items() if d in racing), figures
    for delivery_id in revoked + later:
        assert errors[delivery_id] == [REAUTHORISE], figures
    assert integration_now.auth_status == AUTH_NEEDS_REAUTHORISATION, figures
    statuses = db.session.scalars(
        select(WebhookDelivery.status).where(WebhookDelivery.id.in_(revoked + later))
    ).all()
    assert set(statuses) == {"failed"}, figures  # not queued for a retry
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 10 + WORKERS, figures
