"""Fixtures for the integration set-up screens."""

import pytest

from tests.lever.lever_helpers import authorise, new_integration


@pytest.fixture
def company(make_company):
    return make_company(code="CEZ-UK", name="Cezanne UK Ltd")


@pytest.fixture
def integration(hr_user, company):
    return new_integration(hr_user, company, subdomain="acme")


@pytest.fixture
def authorised(lever_server, integration):
    return authorise(integration)


@pytest.fixture
def details(hr_user, company):
    """Valid Details form data."""
    return {
        "subdomain": "CezanneHR",
        "signature_token": "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089",
        "admin_username": hr_user.username,
        "company_code": company.code,
        "hire_date_source": "today",
    }
