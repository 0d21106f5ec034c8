"""STATE_PATH: restarts keep tokens, candidates, the webhook and deliveries; GETs do not write."""

import json
import os

from lever_cezanne.sandbox import create_app, get_webhook_signature_token
from lever_cezanne.sandbox.seed import opportunity_id

from .helpers import consent, exchange, make_config, refresh

MARY = opportunity_id("Mary Anne Elizabeth Smith")


def test_state_survives_re_creating_the_app(tmp_path):
    path = str(tmp_path / "lever.json")
    app = create_app(make_config(STATE_PATH=path))
    store, client = app.extensions["lever_sandbox"], app.test_client()
    tokens = exchange(client, consent(client)["code"]).json
    added = store.add_candidate({"name": "Persisted Person", "emails": ["p@example.com"]})
    store.set_webhook_url("http://127.0.0.1:9/unused")
    store.move_stage(MARY, "offer")
    store.flush()

    again = create_app(make_config(STATE_PATH=path))
    store2, client2 = again.extensions["lever_sandbox"], again.test_client()
    assert store2.candidate(added)["opportunity"]["name"] == "Persisted Person"
    assert store2.webhook() == store.webhook()
    assert store2.candidate(MARY)["opportunity"]["stageChanges"][-1]["toStageId"] == "offer"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client2.get(f"/v1/opportunities/{MARY}", headers=headers).status_code == 200
    assert refresh(client2, tokens["refresh_token"]).status_code == 200
    assert get_webhook_signature_token(path) == store2.webhook()["signature_token"]


def test_signature_token_made_before_the_simulator_is_kept(tmp_path):
    path = str(tmp_path / "state" / "lever.json")
    token = get_webhook_signature_token(path)
    assert len(token) == 48 and int(token, 16) >= 0
    assert get_webhook_signature_token(path) == token
    store = create_app(make_config(STATE_PATH=path)).extensions["lever_sandbox"]
    assert store.webhook()["signature_token"] == token
    store.regenerate_signature_token()
    store.flush()
    assert get_webhook_signature_token(path) == store.webhook()["signature_token"] != token


def test_signature_token_config_wins():
    fixed = "ab" * 24
    store = create_app(make_config(SIGNATURE_TOKEN=fixed)).extensions["lever_sandbox"]
    assert store.webhook()["signature_token"] == fixed


def test_in_memory_token_is_shared_within_the_process():
    store = create_app(make_config()).extensions["lever_sandbox"]
    assert store.webhook()["signature_token"] == get_webhook_signature_token(None)


def test_reads_do_not_rewrite_the_file(tmp_path):
    path = str(tmp_path / "lever.json")
    app = create_app(make_config(STATE_PATH=path, API_KEY="k"))
    app.extensions["lever_sandbox"].flush()
    before = os.stat(path).st_mtime_ns
    client = app.test_client()
    for _ in range(20):
        assert client.get(f"/v1/opportunities/{MARY}", auth=("k", "")).status_code == 200
    client.get("/_admin/state")
    assert os.stat(path).st_mtime_ns == before
    with open(path, encoding="utf-8") as handle:
        assert MARY in json.load(handle)["candidates"]


def test_unfinished_deliveries_are_marked_interrupted(tmp_path):
    path = str(tmp_path / "lever.json")
    store = create_app(make_config(STATE_PATH=path)).extensions["lever_sandbox"]
    with store.mutate() as state:
        body = {"event": "candidateHired", "data": {}, "token": "t", "triggeredAt": 1}
        record = store.deliveries._record(state, body, None, "http://127.0.0.1:9/")
        record["status"] = "retrying"
    store.flush()
    again = create_app(make_config(STATE_PATH=path)).extensions["lever_sandbox"]
    assert again.delivery(record["id"])["status"] == "interrupted"
