"""The /_admin/ JSON interface and concurrency of the token endpoint."""

import threading

from lever_cezanne.sandbox.seed import CANDIDATES, opportunity_id

from .helpers import refresh

MARY = opportunity_id("Mary Anne Elizabeth Smith")
SCOPED = "offline_access opportunities:read:admin contact:read:admin"


def test_state_summary(sandbox_client, token_pair):
    token_pair()
    state = sandbox_client.get("/_admin/state").json
    assert set(state) == {
        "candidates", "seeded", "counters", "settings", "webhook", "authorized_apps",
        "deliveries",
    }  # fmt: skip
    assert state["seeded"] == {spec["name"]: opportunity_id(spec["name"]) for spec in CANDIDATES}
    assert {c["id"] for c in state["candidates"]} == set(state["seeded"].values())
    mary = next(c for c in state["candidates"] if c["id"] == MARY)
    assert mary["offers"][0]["status"] == "signed"
    assert isinstance(mary["offers"][0]["start_date"], int)
    assert state["counters"]["token_calls_authorization_code"] == 1
    assert state["authorized_apps"][0]["client_id"] == "lever-cezanne-local"


def test_add_move_revoke_and_webhook(sandbox_client, token_pair):
    created = sandbox_client.post(
        "/_admin/candidates",
        json={"name": "Ada Lovelace", "offer": {"status": "signed", "start_date": 0}},
    )
    assert created.status_code == 201
    assert sandbox_client.post("/_admin/candidates", json={}).status_code == 400
    sandbox_client.post(f"/_admin/candidates/{created.json['id']}/hire", json={})
    moved = sandbox_client.post(f"/_admin/candidates/{created.json['id']}/stage", json={})
    assert moved.json["opportunity"]["archived"] is None
    assert moved.json["opportunity"]["stage"] == "applicant-new"
    assert sandbox_client.post("/_admin/candidates/nope/stage", json={}).status_code == 404

    tokens = token_pair()
    assert sandbox_client.post("/_admin/revoke", json={}).json == {"revoked": 1}
    assert refresh(sandbox_client, tokens["refresh_token"]).status_code == 403

    old = sandbox_client.get("/_admin/state").json["webhook"]["signature_token"]
    webhook = sandbox_client.post(
        "/_admin/webhook", json={"url": "http://127.0.0.1:9/x", "regenerate": True}
    ).json["webhook"]
    assert webhook["url"] == "http://127.0.0.1:9/x"
    assert webhook["signature_token"] != old


def test_bulk_hire_validates_n(sandbox_client):
    assert sandbox_client.post("/_admin/bulk-hire", json={"n": 0}).status_code == 400
    assert sandbox_client.post("/_admin/bulk-hire", json={"n": "3"}).status_code == 400
    ids = sandbox_client.post("/_admin/bulk-hire", json={"n": 2}).json["opportunity_ids"]
    assert len(ids) == 2


def test_delivery_endpoints(sandbox_client, receiver):
    delivery = sandbox_client.post("/_admin/webhook/test", json={}).json["delivery"]
    full = sandbox_client.get(f"/_admin/deliveries/{delivery['id']}").json["delivery"]
    assert full["body"]["data"] == {}
    assert full["attempts"][0]["status_code"] == 200
    rerun = sandbox_client.post(f"/_admin/deliveries/{delivery['id']}/rerun", json={}).json[
        "delivery"
    ]
    assert rerun["body"] == full["body"]
    assert sandbox_client.get("/_admin/deliveries/nope").status_code == 404


def test_concurrent_refreshes_with_one_token_succeed_once(sandbox_app, token_pair, store):
    refresh_token = token_pair()["refresh_token"]
    statuses, start = [], threading.Barrier(8)

    def attempt():
        client = sandbox_app.test_client()
        start.wait()
        statuses.append(refresh(client, refresh_token).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [403] * 7
    assert store.counters["token_calls_refresh_token"] == 8


def test_contacts_and_opportunity_list(sandbox_client, token_pair, store):
    headers = {"Authorization": f"Bearer {token_pair(scope=SCOPED)['access_token']}"}
    contact_id = store.candidate(MARY)["contact"]["id"]
    contact = sandbox_client.get(f"/v1/contacts/{contact_id}", headers=headers).json["data"]
    assert contact["name"] == "Mary Anne Elizabeth Smith"
    assert contact["location"] == {"name": "London, UK"}
    assert sandbox_client.get("/v1/contacts/nope", headers=headers).status_code == 404
    page = sandbox_client.get("/v1/opportunities?limit=4&expand=contact", headers=headers).json
    assert len(page["data"]) == 4 and page["hasNext"] is True
    assert isinstance(page["data"][0]["contact"], dict)
    rest = sandbox_client.get(
        f"/v1/opportunities?limit=100&offset={page['next']}", headers=headers
    ).json
    assert len(page["data"]) + len(rest["data"]) == len(CANDIDATES)
    by_contact = sandbox_client.get(
        f"/v1/opportunities?contact_id={contact_id}", headers=headers
    ).json["data"]
    assert [opportunity["id"] for opportunity in by_contact] == [MARY]


def test_admin_refuses_cross_site_posts(sandbox_client, token_pair):
    token_pair()
    # Before: a cross-site page's text/plain POST (no preflight) revoked every grant.
    forged = sandbox_client.post("/_admin/revoke", data="{}", content_type="text/plain")
    assert forged.status_code == 415 and "application/json" in forged.json["error"]
    form = sandbox_client.post("/_admin/revoke", data={"client_id": "x"})
    assert form.status_code == 415
    cross_site = sandbox_client.post(
        "/_admin/revoke", json={}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    assert sandbox_client.get("/_admin/state").json["authorized_apps"], "nothing was revoked"
    same_origin = sandbox_client.post(
        "/_admin/revoke", json={}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert same_origin.json == {"revoked": 1}
