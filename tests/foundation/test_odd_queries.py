"""Odd query strings on every list and search page give a page, never a server error."""

import re

import pytest

from lever_cezanne.models import LeverIntegration

LIST_PAGES = [
    "/people",
    "/tasks/mine",
    "/admin/users",
    "/admin/companies",
    "/admin/processes",
    "/admin/tasks",
    "/admin/search/users",
    "/search/companies",
    "/integrations/lever/{id}/log",
    "/integrations/lever/{id}/log.csv",
]
ODD_VALUES = [
    "9" * 40,  # past any database integer
    "2147483648",  # past PostgreSQL's integer (the id columns): the security review's 500
    "open.2147483648",
    "9223372036854775807",
    "open." + "9" * 30,
    "1." + "9" * 30,
    "-5",
    "1.5",
    "caf\u00e9 \u4e2d",
    "a\x00b",  # PostgreSQL refuses NUL in text
    "x" * 5000,
]
PARAMETERS = ["q", "after", "before", "page", "level", "status"]


@pytest.fixture
def integration(db):
    """An integration with an empty log: only its id is needed here."""
    found = LeverIntegration(
        subdomain="odd", signature_token_encrypted="-", signature_token_last4="-"
    )
    db.session.add(found)
    db.session.commit()
    return found


@pytest.mark.parametrize("path", LIST_PAGES)
def test_odd_query_strings_never_cause_a_server_error(client, admin, login_as, integration, path):
    login_as(admin)
    url = path.format(id=integration.id)
    failures = []
    for name in PARAMETERS:
        for value in ODD_VALUES:
            response = client.get(url, query_string={name: value})
            response.get_data()  # a streamed CSV fails while it is read
            if response.status_code >= 500:
                failures.append((name, value[:20]))
    assert not failures, f"{url} answered 500 for {failures}"


def test_a_cursor_past_any_database_integer_is_ignored(client, admin, login_as):
    login_as(admin)
    for url, name in (("/people", "after"), ("/tasks/mine", "before"), ("/admin/users", "page")):
        response = client.get(url, query_string={name: "9" * 40})
        assert response.status_code == 200, url


def test_ids_in_urls_past_the_id_columns_answer_404(app, client, admin, login_as):
    login_as(admin)
    failures, checked = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "2147483648", rule.rule)
        response = client.get(url)
        response.get_data()
        checked += 1
        if response.status_code >= 500:
            failures.append(rule.rule)
    assert checked >= 5 and not failures, f"server errors for {failures}"
