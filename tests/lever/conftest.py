"""Fixtures for the Lever client tests: an integration authorised against the simulator."""

import pytest

from tests.lever.lever_helpers import authorise, new_integration


@pytest.fixture
def integration(db, make_user, make_company):
    return new_integration(make_user("hr", username="hr.alex"), make_company(code="CEZ-UK"))


@pytest.fixture
def authorised(lever_server, integration):
    return authorise(integration)
