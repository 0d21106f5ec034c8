"""The Lever client: reads, errors, token refresh with rotation and revocation."""

import logging
from datetime import timedelta

import pytest

from lever_cezanne import crypto
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import (
    LeverAuthorisationError,
    LeverNotFoundError,
    LeverRequestError,
    LeverTransientError,
)
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import AUTH_AUTHORISED, AUTH_NEEDS_REAUTHORISATION
from tests.conftest import ON_POSTGRES

REAUTHORISE = "Lever access was revoked or has expired: re-authorise under Integrations › Lever."


def _expire_access_token(db, integration):
    integration.access_token_expires_at = utcnow() - timedelta(seconds=5)
    db.session.commit()


def test_reads_an_opportunity_with_its_contact_and_offers(lever_server, authorised):
    opportunity_id = lever_server.store.add_candidate(
        {
            "name": "Ada Lovelace",
            "emails": ["ada@example.com"],
            "offer": {"status": "signed", "start_in_days": 14},
        }
    )
    client = LeverClient.for_integration(authorised.id)

    opportunity = client.get_opportunity(opportunity_id)
    offers = client.get_offers(opportunity_id)

    assert opportunity["id"] == opportunity_id
    assert opportunity["contact"]["name"] == "Ada Lovelace"
    assert [offer["status"] for offer in offers] == ["signed"]


def test_archive_reasons_can_be_filtered_by_type(lever_server, authorised):
    reasons = LeverClient.for_integration(authorised.id).get_archive_reasons("hired")
    assert reasons and {reason["type"] for reason in reasons} == {"hired"}


def test_unknown_opportunity_is_not_found(lever_server, authorised):
    client = LeverClient.for_integration(authorised.id)
    with pytest.raises(LeverNotFoundError) as caught:
        client.get_opportunity("no-such-id")
    assert "no such record" in str(caught.value)


@pytest.mark.parametrize(
    "bad_id", [".", "..", "a/b", "../users", "%2e%2e", "opp 1", "a?b", "x" * 65]
)
def test_odd_ids_are_refused_before_any_url_is_built(lever_server, authorised, monkeypatch, bad_id):
    """ "." or ".." would make the client call /v1/ or the opportunity list with our token."""
    from lever_cezanne.lever import client as client_module

    def no_network():
        raise AssertionError("a request was about to be sent")

    lever_client = LeverClient.for_integration(authorised.id)
    monkeypatch.setattr(client_module, "lever_http", no_network)
    with pytest.raises(LeverRequestError, match="not a valid Lever id"):
        lever_client.get_opportunity(bad_id)
    with pytest.raises(LeverRequestError, match="not a valid Lever id"):
        lever_client.get_offers(bad_id)


def test_server_errors_and_429_are_transient(lever_server, authorised, caplog):
    client = LeverClient.for_integration(authorised.id)
    lever_server.store.set_faults(fault_500_rate=1.0)
    with pytest.raises(LeverTransientError, match="having problems on its side") as caught:
        client.get_archive_reasons()
    assert caught.value.detail == "HTTP 500"  # for the caller's one log line
    lever_server.store.set_faults(fault_500_rate=0.0, fault_429_rate=1.0)
    with pytest.raises(LeverTransientError, match="slow down") as caught:
        client.get_archive_reasons()
    assert caught.value.retry_after is None  # Lever sends no Retry-After
    assert caught.value.detail == "HTTP 429"
    # The caller logs the one line of a transient failure (the job: "will retry").
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_unreachable_lever_is_transient(app, lever_server, authorised):
    app.config["LEVER_API_URL"] = "http://127.0.0.1:9/v1"  # the discard port: refused
    with pytest.raises(LeverTransientError, match="could not be reached") as caught:
        LeverClient.for_integration(authorised.id).get_archive_reasons()
    assert caught.value.detail == "ConnectionError"


def test_refresh_rotates_and_saves_the_new_refresh_token(db, lever_server, authorised):
    lever_server.store.set_access_token_ttl(30)  # under the 60 s leeway: every call refreshes
    _expire_access_token(db, authorised)
    seen = []
    for _ in range(3):
        LeverClient.for_integration(authorised.id).get_archive_reasons()
        db.session.refresh(authorised)
        seen.append(crypto.decrypt(authorised.refresh_token_encrypted))

    assert lever_server.store.counters["token_calls_refresh_token"] == 3
    assert len(set(seen)) == 3  # rotated every time, and the newest is always the one kept
    assert authorised.auth_status == AUTH_AUTHORISED


def test_a_fresh_token_is_used_without_refreshing(lever_server, authorised):
    client = LeverClient.for_integration(authorised.id)
    client.get_archive_reasons()
    client.get_archive_reasons()
    assert lever_server.store.counters["token_calls_refresh_token"] == 0


def test_revoked_access_needs_reauthorisation_and_stops_token_calls(db, lever_server, authorised):
    lever_server.store.revoke()
    _expire_access_token(db, authorised)

    with pytest.raises(LeverAuthorisationError) as caught:
        LeverClient.for_integration(authorised.id).get_archive_reasons()
    calls = lever_server.store.counters["token_calls"]
    for _ in range(3):
        with pytest.raises(LeverAuthorisationError):
            LeverClient.for_integration(authorised.id).get_archive_reasons()

    assert str(caught.value) == REAUTHORISE
    db.session.refresh(authorised)
    assert authorised.auth_status == AUTH_NEEDS_REAUTHORISATION
    assert lever_server.store.counters["token_calls"] == calls  # no retry storm


def test_401_forces_one_refresh_then_needs_reauthorisation(db, lever_server, authorised):
    client = LeverClient.for_integration(authorised.id)
    lever_server.store.revoke()  # also kills the still-fresh access token: Lever answers 401

    with pytest.raises(LeverAuthorisationError, match="re-authorise"):
        client.get_archive_reasons()

    assert lever_server.store.counters["token_calls_refresh_token"] == 1
    db.session.refresh(authorised)
    assert authorised.auth_status == AUTH_NEEDS_REAUTHORISATION


def test_not_authorised_and_deleted_integrations_make_no_calls(db, lever_server, integration):
    with pytest.raises(LeverAuthorisationError, match="not authorised"):
        LeverClient.for_integration(integration.id)
    integration.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(LeverRequestError, match="deleted"):
        LeverClient.for_integration(integration.id)
    assert lever_server.store.counters["api_calls"] == 0


def test_tokens_never_reach_the_logs(db, caplog, lever_server, authorised):
    caplog.set_level(logging.DEBUG)
    lever_server.store.set_access_token_ttl(30)
    _expire_access_token(db, authorised)
    LeverClient.for_integration(authorised.id).get_archive_reasons()

    db.session.refresh(authorised)
    for secret in (
        crypto.decrypt(authorised.access_token_encrypted),
        crypto.decrypt(authorised.refresh_token_encrypted),
    ):
        assert secret not in caplog.text


def test_paths_must_not_be_urls(lever_server, authorised):
    with pytest.raises(ValueError, match="API path"):
        LeverClient.for_integration(authorised.id).get("https://evil.example/steal")


@pytest.mark.skipif(not ON_POSTGRES, reason="synchronous_commit is PostgreSQL's")
@pytest.mark.committed
def test_a_rotated_refresh_token_is_committed_durably_even_by_a_worker(
    db, lever_server, authorised
):
    from sqlalchemy import event, text

    from lever_cezanne.deliveries.commands import commit_without_waiting_for_disk

    commit_without_waiting_for_disk()  # what `flask worker` does
    # Set by the worker's connection itself ("client"), not by the test database's default.
    setting = "SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'"
    assert tuple(db.session.execute(text(setting)).one()) == ("off", "client")
    db.session.commit()
    lever_server.store.set_access_token_ttl(30)
    _expire_access_token(db, authorised)
    seen = []

    def record(session):
        seen.append(session.execute(text("SHOW synchronous_commit")).scalar())

    event.listen(db.session(), "before_commit", record)
    LeverClient.for_integration(authorised.id).get_archive_reasons()
    assert lever_server.store.counters["token_calls_refresh_token"] == 1
    assert "on" in seen  # the commit that saves the rotated refresh token waits for the disk
    seen.clear()
    db.session.commit()
    assert seen == ["off"]  # only that transaction: the worker's other commits do not wait
