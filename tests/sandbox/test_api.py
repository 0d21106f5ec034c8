"""API v1: envelopes, shapes, expand, offers, archive reasons, pagination, errors and scopes."""

import pytest

from lever_cezanne.sandbox import create_app
from lever_cezanne.sandbox.seed import HIRED_REASON_ID, HIRING_MANAGER_ID, opportunity_id, stable_id

from .helpers import UNAUTHORIZED, make_config

OPPORTUNITY_KEYS = {
    "id", "name", "headline", "contact", "emails", "phones", "location", "links", "stage",
    "stageChanges", "archived", "tags", "sources", "origin", "sourcedBy", "owner", "followers",
    "applications", "confidentiality", "createdAt", "updatedAt", "lastInteractionAt",
    "lastAdvancedAt", "snoozedUntil", "urls", "isAnonymized", "dataProtection",
    "opportunityLocation", "resume",
}  # fmt: skip
MARY = opportunity_id("Mary Anne Elizabeth Smith")
BOBBY = opportunity_id('Robert "Bobby" Tables')
SOREN = opportunity_id("Søren Ærø")
ALEX = opportunity_id("Alexandra Okonkwo-Brown")


def test_opportunity_has_lever_shape(sandbox_client, bearer):
    response = sandbox_client.get(f"/v1/opportunities/{MARY}", headers=bearer)
    assert response.status_code == 200
    assert set(response.json) == {"data"}
    opportunity = response.json["data"]
    assert set(opportunity) == OPPORTUNITY_KEYS
    assert opportunity["name"] == "Mary Anne Elizabeth Smith"
    assert isinstance(opportunity["contact"], str)
    assert isinstance(opportunity["location"], str)
    assert opportunity["stage"] == "offer"
    assert opportunity["archived"] is None
    assert opportunity["stageChanges"][0]["toStageId"] == "applicant-new"
    assert opportunity["urls"]["show"].startswith("http://localhost/")
    assert isinstance(opportunity["createdAt"], int)


def test_expand_contact_inlines_the_contact(sandbox_client, bearer):
    response = sandbox_client.get(
        f"/v1/opportunities/{ALEX}?expand=contact&expand=stage", headers=bearer
    )
    contact = response.json["data"]["contact"]
    assert set(contact) == {
        "id", "name", "headline", "isAnonymized", "location", "emails", "phones",
    }  # fmt: skip
    assert contact["location"] == {"name": "Manchester, UK"}
    assert len(contact["emails"]) == 3
    types = [phone.get("type", "<absent>") for phone in contact["phones"]]
    assert {"work", "mobile", "home", "other", "skype", "<absent>", None} == set(types)
    assert types.count("work") == 2


def test_unicode_names_survive_the_round_trip(sandbox_client, bearer):
    response = sandbox_client.get(f"/v1/opportunities/{SOREN}", headers=bearer)
    assert response.json["data"]["name"] == "Søren Ærø"


def test_unknown_opportunity_is_lever_404(sandbox_client, bearer):
    missing = "00000000-0000-0000-0000-000000000000"
    response = sandbox_client.get(f"/v1/opportunities/{missing}", headers=bearer)
    assert response.status_code == 404
    assert response.json == {
        "code": "ResourceNotFound",
        "message": f"opportunities {missing} was not found",
    }


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic a2V5Og=="}],
)
def test_missing_or_bad_credentials_are_401(sandbox_client, headers):
    response = sandbox_client.get(f"/v1/opportunities/{MARY}", headers=headers)
    assert response.status_code == 401
    assert response.json == UNAUTHORIZED


def test_signed_offer_has_a_start_date_in_ms(sandbox_client, bearer):
    response = sandbox_client.get(f"/v1/opportunities/{MARY}/offers", headers=bearer)
    assert response.json["hasNext"] is False
    [offer] = response.json["data"]
    assert offer["status"] == "signed"
    fields = {field["identifier"]: field["value"] for field in offer["fields"]}
    assert isinstance(fields["anticipated_start_date"], int)
    assert fields["anticipated_start_date"] % 86_400_000 == 0  # midnight UTC
    assert fields["candidate_name"] == "Mary Anne Elizabeth Smith"


def test_offer_carries_job_pay_managers_team_office_and_custom_fields(sandbox_client, bearer):
    [offer] = sandbox_client.get(f"/v1/opportunities/{MARY}/offers", headers=bearer).json["data"]
    fields = {field["identifier"]: field["value"] for field in offer["fields"]}
    assert fields["job_title"] == "Payroll Specialist"
    assert (fields["salary_amount"], fields["compensation_currency"]) == (42000, "GBP")
    assert fields["salary_interval"] == "per-year-salary"
    assert fields["hiring_manager"] == HIRING_MANAGER_ID
    assert fields["direct_manager"] == stable_id("user", "sam.admin@sandbox.example")
    assert (fields["team"], fields["location/office"]) == ("Payroll", "London")
    assert fields["custom_cost_centre"] == "CC-100"


def test_one_user_by_id_even_deactivated(sandbox_client, bearer):
    response = sandbox_client.get(f"/v1/users/{HIRING_MANAGER_ID}", headers=bearer)
    assert response.status_code == 200
    assert response.json["data"]["email"] == "hana.hm@sandbox.example"
    gone = stable_id("user", "dora@sandbox.example")
    assert sandbox_client.get(f"/v1/users/{gone}", headers=bearer).json["data"]["deactivatedAt"]
    missing = sandbox_client.get("/v1/users/nobody", headers=bearer)
    assert missing.status_code == 404
    assert missing.json == {"code": "ResourceNotFound", "message": "users nobody was not found"}


def test_sent_offer_and_no_offer(sandbox_client, bearer):
    sent = sandbox_client.get(f"/v1/opportunities/{BOBBY}/offers", headers=bearer).json
    assert [offer["status"] for offer in sent["data"]] == ["sent"]
    none = sandbox_client.get(f"/v1/opportunities/{SOREN}/offers", headers=bearer).json
    assert none == {"data": [], "hasNext": False}


def test_archive_reasons_filter_by_type(sandbox_client, bearer):
    hired = sandbox_client.get("/v1/archive_reasons?type=hired", headers=bearer).json["data"]
    assert hired == [{"id": HIRED_REASON_ID, "text": "Hired", "status": "active", "type": "hired"}]
    others = sandbox_client.get("/v1/archive_reasons?type=non-hired", headers=bearer).json["data"]
    assert len(others) >= 4
    assert {reason["type"] for reason in others} == {"non-hired"}
    assert set(others[0]) == {"id", "text", "status", "type"}


def test_pages_follow_opaque_offsets(sandbox_client, bearer):
    everything = sandbox_client.get("/v1/archive_reasons", headers=bearer).json["data"]
    seen, url = [], "/v1/archive_reasons?limit=3"
    while True:
        page = sandbox_client.get(url, headers=bearer).json
        assert len(page["data"]) <= 3
        seen += page["data"]
        if not page["hasNext"]:
            assert "next" not in page
            break
        url = f"/v1/archive_reasons?limit=3&offset={page['next']}"
    assert seen == everything


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=garbage"])
def test_bad_paging_is_400(sandbox_client, bearer, query):
    response = sandbox_client.get(f"/v1/archive_reasons?{query}", headers=bearer)
    assert response.status_code == 400
    assert response.json["code"] == "BadRequestError"


def test_users_hide_deactivated_by_default(sandbox_client, bearer):
    active = sandbox_client.get("/v1/users", headers=bearer).json["data"]
    everyone = sandbox_client.get("/v1/users?includeDeactivated=true", headers=bearer).json["data"]
    assert len(everyone) == len(active) + 1
    assert all(user["deactivatedAt"] is None for user in active)


def test_scopes_are_enforced(sandbox_client, token_pair):
    token = token_pair(scope="opportunities:read:admin")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert sandbox_client.get(f"/v1/opportunities/{MARY}", headers=headers).status_code == 200
    response = sandbox_client.get(f"/v1/opportunities/{MARY}/offers", headers=headers)
    assert response.status_code == 403
    assert "offers:read:admin" in response.json["message"]


def test_write_scope_implies_read(sandbox_client, token_pair):
    token = token_pair(scope="opportunities:write:admin")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert sandbox_client.get(f"/v1/opportunities/{MARY}", headers=headers).status_code == 200


def test_basic_auth_with_an_api_key():
    client = create_app(make_config(API_KEY="sandbox-key")).test_client()
    good = client.get(f"/v1/opportunities/{MARY}", auth=("sandbox-key", ""))
    assert good.status_code == 200
    assert client.get(f"/v1/opportunities/{MARY}", auth=("other", "")).status_code == 401


def test_archived_hire_shows_in_the_api(sandbox_client, bearer, store):
    store.hire(MARY)  # no webhook URL in tests: archives without sending
    archived = sandbox_client.get(f"/v1/opportunities/{MARY}", headers=bearer).json["data"]
    assert archived["archived"]["reason"] == HIRED_REASON_ID
    assert isinstance(archived["archived"]["archivedAt"], int)
    listed = sandbox_client.get("/v1/opportunities?archived=true", headers=bearer).json["data"]
    assert [opportunity["id"] for opportunity in listed] == [MARY]
