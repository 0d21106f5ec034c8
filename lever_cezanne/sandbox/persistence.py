"""Atomic, coalesced JSON persistence of the simulator state."""

import json
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

# Bursts of changes (a bulk hire, a benchmark's token refreshes) are written at most
# this often, so a large state file is not rewritten thousands of times a second.
MIN_WRITE_INTERVAL = 0.5

# With no STATE_PATH the token still has to agree between a test's seeding code and
# the simulator built in the same process.
_MEMORY_TOKENS: dict[str, str] = {}
_TOKEN_LOCK = threading.Lock()


def new_signature_token() -> str:
    """Return a fresh 48-character lowercase hex token."""
    return secrets.token_hex(24)


def read_state(path: str | None) -> dict:
    """Load the saved state, or an empty dict when there is none."""
    if not path or not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_atomically(path: str, text: str) -> None:
    """Replace the file in one step so readers never see half a state."""
    directory = Path(path).resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".lever-sandbox-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def get_webhook_signature_token(state_path: str | None) -> str:
    """Return the Candidate Hired webhook's signature token, creating and saving it once."""
    with _TOKEN_LOCK:
        if not state_path:
            return _MEMORY_TOKENS.setdefault("candidateHired", new_signature_token())
        state = read_state(state_path)
        webhook = state.setdefault("webhook", {})
        if not webhook.get("signature_token"):
            webhook["signature_token"] = new_signature_token()
            write_atomically(state_path, json.dumps(state))
        return webhook["signature_token"]


class StateFile:
    """Write snapshots to a path: at once when idle, else once per interval."""

    def __init__(self, path: str | None, snapshot, interval: float = MIN_WRITE_INTERVAL):
        self.path = path
        self._snapshot = snapshot  # callable returning the JSON text, taken under the store lock
        self._interval = interval
        self._lock = threading.Lock()
        self._last_write = 0.0
        self._timer: threading.Timer | None = None

    def changed(self) -> None:
        """Note a change; write now or schedule a trailing write."""
        if not self.path:
            return
        with self._lock:
            if self._timer is not None:
                return
            wait = self._last_write + self._interval - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self.flush)
                # Not a daemon: interpreter exit waits for this last write instead of losing it.
                self._timer.daemon = False
                self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        """Write the current snapshot now."""
        if not self.path:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            write_atomically(self.path, self._snapshot())
            self._last_write = time.monotonic()
