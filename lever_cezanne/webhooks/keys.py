"""Each web process's memory of the signature keys it has verified webhooks with.

Reading the integration and decrypting its key cost more than the rest of a webhook together, so
a process keeps the key of each subdomain it has served. A remembered key is never trusted on its
own: the delivery it verifies is stored by one statement that inserts only while the integration
still answers to that subdomain, is not deleted and holds the very same ciphertext
(`deliveries.signed.store_signed`), and everything else — a refusal, a ping, a repeat, a changed
or revoked key — goes the long way, reading the integration afresh.
"""

import threading
from dataclasses import dataclass

from flask import current_app

MAX_REMEMBERED = 256  # integrations per process; past it the memory starts again


@dataclass(frozen=True)
class SigningKey:
    integration_id: int
    subdomain: str  # lowercase, as the lookup compares it
    ciphertext: str  # what the integration row held when the key was read
    key: str = ""  # in clear: never logged

    def __repr__(self) -> str:  # keep the key out of any traceback or debug print
        return f"<SigningKey integration={self.integration_id} subdomain={self.subdomain}>"


class SigningKeys:
    """Remembered keys by lowercase subdomain; safe to share between a process's threads."""

    def __init__(self):
        self._keys: dict[str, SigningKey] = {}
        self._lock = threading.Lock()

    def get(self, subdomain: str) -> SigningKey | None:
        return self._keys.get(subdomain.lower())

    def remember(self, integration_id: int, subdomain: str, ciphertext: str, key: str) -> None:
        entry = SigningKey(integration_id, subdomain.lower(), ciphertext, key)
        with self._lock:
            if len(self._keys) >= MAX_REMEMBERED:
                self._keys.clear()
            self._keys[entry.subdomain] = entry

    def forget(self, subdomain: str) -> None:
        with self._lock:
            self._keys.pop(subdomain.lower(), None)


def signing_keys() -> SigningKeys:
    """Return this app's remembered keys (one set per app, so tests never share them)."""
    keys = current_app.extensions.get("webhook_signing_keys")
    if keys is None:
        keys = current_app.extensions.setdefault("webhook_signing_keys", SigningKeys())
    return keys
