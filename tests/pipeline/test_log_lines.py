"""`heroku logs --tail | grep delivery_id=N` follows one hire: receiver, job and Log-tab rows."""

import io
import logging
import re

import pytest
from sqlalchemy import select

from lever_cezanne.app_logging import make_handler
from lever_cezanne.log_entries import add_log_entry
from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.integration import LEVEL_INFORMATION


@pytest.fixture
def log_lines():
    """What the app's loggers write, in the app's own format (the job's threads included)."""
    stream = io.StringIO()
    handler = make_handler(stream)
    logger = logging.getLogger("lever_cezanne")
    logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)


@pytest.mark.committed
def test_the_receiver_s_and_the_job_s_lines_carry_delivery_id(
    db, integration, add_candidate, send_hire, runner, log_lines
):
    response = send_hire(add_candidate("Alison Hendrix"))
    assert response.status_code == 200 and response.json["status"] == "accepted"
    assert runner.wait_idle(15)
    delivery_id = db.session.scalar(select(WebhookDelivery.id))
    lines = log_lines()
    # Before: "delivery N stored" named the delivery only in its text.
    [stored] = [line for line in lines if f"delivery {delivery_id} stored" in line]
    stamp = rf" request_id=\w{{32}} delivery_id={delivery_id}: "
    assert re.search(rf"{stamp}integration \d+: delivery {delivery_id} ", stored)
    [attempt] = [line for line in lines if f"delivery {delivery_id}: attempt 1" in line]
    assert f" delivery_id={delivery_id}: " in attempt
    # The job's Log-tab rows are stamped too, though their text names the person, not the id.
    created = [line for line in lines if "New Starter Process started" in line]
    assert created and all(f" delivery_id={delivery_id}: " in line for line in created)
    for line in lines:
        for named in re.findall(r"\bdelivery (\d+)", line):
            assert f" delivery_id={named}:" in line, line


def test_a_log_tab_row_about_a_delivery_carries_its_id_outside_the_job(
    app, db, plain_integration, log_lines
):
    delivery = WebhookDelivery(
        integration_id=plain_integration.id, token_hash="a" * 64, event="candidateHired",
        opportunity_id="opp-1", triggered_at=1700000000123, payload="{}", status="failed",
    )  # fmt: skip
    db.session.add(delivery)
    db.session.commit()
    # E.g. an Administrator's Retry now from the Log tab: a request, not the job.
    with app.test_request_context("/", headers={"X-Request-ID": "req-77"}):
        app.preprocess_request()
        add_log_entry(plain_integration.id, LEVEL_INFORMATION, "About it.", delivery_id=delivery.id)
        add_log_entry(plain_integration.id, LEVEL_INFORMATION, "About no delivery.")
    db.session.rollback()
    about, other = log_lines()
    assert about.endswith(f" request_id=req-77 delivery_id={delivery.id}: integration "
                          f"{plain_integration.id} information: About it.")  # fmt: skip
    assert other.endswith(f" request_id=req-77: integration {plain_integration.id} "
                          "information: About no delivery.")  # fmt: skip
