"""The health view counts the hires only the catch-up sync found, and warns when Lever's webhook
stays silent while the sync keeps finding hires."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from lever_cezanne.models import WebhookDelivery
from lever_cezanne.models.base import utcnow
from tests.pipeline.helpers import lost_hires, sync_now

SILENT = 'data-warning="webhook_silent"'


def _health(client) -> str:
    return client.get("/integrations/lever/health").get_data(as_text=True)


@pytest.mark.committed
def test_sync_finds_without_any_webhook_are_counted_and_warned(
    db, client, admin, login_as, integration, lever_server, runner
):
    lost_hires(lever_server, 2)
    sync_now(integration)
    assert runner.wait_idle(30)
    login_as(admin)
    html = _health(client)
    assert 'data-found-by-sync="2"' in html
    assert "2 hires in the last 30 days whose webhook never arrived" in html
    assert SILENT in html
    assert (
        "No webhook has arrived from Lever in 3 days, but the catch-up sync found 2 hires" in html
    )
    assert 'data-state="needs_attention"' in html
    # The sync's finds are not webhooks: the card still says none has arrived.
    assert "<dt>Last webhook</dt><dd>None yet</dd>" in html


@pytest.mark.committed
def test_no_warning_while_webhooks_arrive(
    db,
    client,
    admin,
    login_as,
    integration,
    lever_server,
    lever_sends_webhooks,
    add_candidate,
    runner,
):
    add_candidate("Delphine Cormier")  # arrives by webhook
    lost_hires(lever_server, 1)
    sync_now(integration)
    assert runner.wait_idle(30)
    login_as(admin)
    html = _health(client)
    assert 'data-found-by-sync="1"' in html and SILENT not in html
    # Four days later, a sync find with no webhook since: now it is worth a warning.
    four_days_ago = utcnow() - timedelta(days=4)
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.source == "webhook")
        .values(received_at=four_days_ago)
    )
    db.session.commit()
    html = _health(client)
    assert SILENT in html and "found 1 hire in that time" in html
