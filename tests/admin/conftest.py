"""Fixtures for the administration screens."""

import pytest
from argon2 import PasswordHasher

from lever_cezanne.auth import passwords


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """Hash with tiny Argon2 costs: these tests are about screens, not password strength."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
