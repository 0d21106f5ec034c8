"""Encryption at rest for secrets, with MultiFernet key rotation."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionError(RuntimeError):
    """A stored secret cannot be read with the configured ENCRYPTION_KEYS."""


def _fernet() -> MultiFernet:
    # The first key encrypts; every key decrypts, so a new key can be put first before rotation.
    keys = current_app.config["ENCRYPTION_KEYS"]
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(plaintext: str) -> str:
    """Encrypt a secret with the first configured key."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypt a secret with any configured key."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "a stored secret cannot be decrypted: check ENCRYPTION_KEYS holds the key it was "
            "encrypted with"
        ) from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt a secret under the first configured key."""
    return _fernet().rotate(ciphertext.encode()).decode()
