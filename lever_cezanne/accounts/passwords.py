"""Password hashing with Argon2id."""

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with OWASP's parameters (m=19 MiB, t=2, p=1): strong enough, and light enough that a
# web worker stays small. argon2-cffi's default (64 MiB, p=4) tripled a worker's memory.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# One hash at a time per process (about 20 ms each), so a burst of sign-ins cannot exhaust memory.
_hashing = threading.BoundedSemaphore(1)
MIN_PASSWORD_LENGTH = 8
# A fixed hash to verify against when the username is unknown, so timing does not reveal it.
# Made on first use, not at import, so workers and CLI commands do not pay for it.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not-a-real-password")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password."""
    with _hashing:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash in constant work whether or not the user exists."""
    try:
        with _hashing:
            verified = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return verified and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Return whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
