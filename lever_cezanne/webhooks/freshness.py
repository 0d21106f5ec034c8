"""The window of `triggeredAt` values the receiver accepts.

Lever signs only ``token + triggeredAt``, so a signed body captured once stays valid for ever
unless its age is checked. ``triggeredAt`` is when the event happened, and Lever's retries (five,
at growing and undocumented intervals) and a Super Admin's re-run from the webhook history
probably resend the original value, so the window must be far wider than the five minutes
schemes that re-sign each attempt use:

- up to 15 days old: room for every retry and for a re-run within two weeks;
- up to 5 minutes ahead: room for the clocks of Lever and of this server to disagree.

Inside the window a replay is still refused: its token and its signature are already stored.
"""

from datetime import datetime, timedelta

from lever_cezanne.models.base import utcnow

MAX_AGE = timedelta(days=15)
MAX_AHEAD = timedelta(minutes=5)
WINDOW_TEXT = "more than 15 days old or more than 5 minutes ahead of this server's clock"


def is_fresh(triggered_at_ms: int, now: datetime | None = None) -> bool:
    """Tell whether a triggeredAt (milliseconds since the epoch) lies inside the window."""
    now_ms = int((now or utcnow()).timestamp() * 1000)
    oldest = now_ms - MAX_AGE // timedelta(milliseconds=1)
    newest = now_ms + MAX_AHEAD // timedelta(milliseconds=1)
    return oldest <= triggered_at_ms <= newest
