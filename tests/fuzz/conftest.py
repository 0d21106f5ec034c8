"""The fuzzed receiver: an integration with a known signature token, and request counters."""

import time

import pytest
from sqlalchemy import func, select

from lever_cezanne.deliveries import queue
from lever_cezanne.models import LogEntry, WebhookDelivery
from lever_cezanne.webhooks.signature import compute_signature

SIGNATURE_TOKEN = "fuzz-signature-token-5d1e0c9b8a7f6e5d4c3b2a19"
URL = "/cezannehr/api/v4/Lever/webhook/CezanneHR"


def sign(token: str, triggered_at: int) -> str:
    """Lever's signature for a token and triggeredAt, with the fuzzed integration's key."""
    return compute_signature(SIGNATURE_TOKEN, token, triggered_at)


@pytest.fixture
def receiver(request, app, db, client, admin, make_company, make_integration, monkeypatch):
    """An integration with a known signature token; enqueues are recorded, not run."""
    make_integration(admin, make_company(code="ACME"), SIGNATURE_TOKEN)
    enqueued = []
    monkeypatch.setattr(queue, "enqueue_delivery", lambda d, attempt: enqueued.append(d))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an unhandled error must show as the 500 it is
    started = time.monotonic()

    class Receiver:
        sent = 0
        statuses: dict[int, int] = {}

        def post(self, data, content_type="application/json", url=URL, **kwargs):
            response = client.post(url, data=data, content_type=content_type, **kwargs)
            self.sent += 1
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            return response

        def stored(self) -> int:
            count = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
            db.session.commit()
            return count

        def figures(self) -> dict:
            errors = db.session.scalar(
                select(func.count()).select_from(LogEntry).where(LogEntry.level == "error")
            )
            return {
                "requests": self.sent,
                "by_status": dict(sorted(self.statuses.items())),
                "stored": self.stored(),
                "enqueued": len(enqueued),
                "bad_signature_error_rows": errors,
                "seconds": round(time.monotonic() - started, 1),
            }

    found = Receiver()
    yield found
    print(f"\nFUZZ FIGURES {request.node.name}: {found.figures()}")
