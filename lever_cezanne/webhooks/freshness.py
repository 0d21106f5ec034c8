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

import time
from datetime import datetime, timedelta

MAX_AGE = timedelta(days=15)
MAX_AHEAD = timedelta(minutes=5)
_MAX_AGE_MS = MAX_AGE // timedelta(milliseconds=1)
_MAX_AHEAD_MS = MAX_AHEAD // timedelta(milliseconds=1)
WINDOW_TEXT = "more than 15 days old or more than 5 minutes ahead of this server's clock"


def is_fresh(triggered_at_ms: int, now: datetime | None = None) -> bool:
    """Tell whether a triggeredAt (milliseconds since the epoch) lies inside the window."""
    # The clock read as an integer: this runs on every webhook, and a datetime costs more.
    now_ms = time.time_ns() // 1_000_000 if now is None else int(now.timestamp() * 1000)
    return now_ms - _MAX_AGE_MS <= triggered_at_ms <= now_ms + _MAX_AHEAD_MS
