"""OAuth conformance: authorize validation, consent, code exchange, refresh, revoke, expiry."""

import base64
import json

import pytest

from lever_cezanne.sandbox.scopes import KNOWN_SCOPES

from .helpers import (
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    UNAUTHORIZED,
    authorize_params,
    consent,
    exchange,
    form_field,
    redirect_query,
    refresh,
)

INVALID_REFRESH = {
    "error": "invalid_grant",
    "error_description": "Unknown or invalid refresh token.",
}


def _jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize(
    "override",
    [{"client_id": "someone-else"}, {"redirect_uri": "https://evil.example/callback"}],
)
def test_unregistered_client_or_redirect_gets_an_error_page_not_a_redirect(
    sandbox_client, override
):
    response = sandbox_client.get("/authorize", query_string=authorize_params(**override))
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Authorization error" in response.text


@pytest.mark.parametrize(
    ("override", "error", "description"),
    [
        ({"state": None}, "invalid_request", "Missing required parameter: state"),
        ({"audience": "https://api.lever.co/v1/"}, "access_denied", "Service not found"),
        ({"audience": None}, "access_denied", "Service not found"),
        ({"scope": "opportunities:read:admin candidates:eat:admin"}, "invalid_scope", "Unknown"),
        ({"scope": "opportunities:read"}, "invalid_scope", "Unknown scope"),
        ({"scope": " ".join(sorted(KNOWN_SCOPES)[:21])}, "invalid_scope", "Too many"),
        ({"response_type": "token"}, "unsupported_response_type", "Unsupported"),
    ],
)
def test_other_authorize_errors_redirect_back_with_state(
    sandbox_client, override, error, description
):
    query = redirect_query(
        sandbox_client.get("/authorize", query_string=authorize_params(**override))
    )
    assert query["error"] == error
    assert query["error_description"].startswith(description)
    assert query.get("state") == override.get("state", "st4te-value")
    assert "code" not in query


def test_consent_page_lists_permissions_in_words(sandbox_client):
    page = sandbox_client.get("/authorize", query_string=authorize_params())
    assert page.status_code == 200
    assert "View all of an opportunity&#39;s offers" in page.text
    assert "refresh token" in page.text
    assert ">Accept</button>" in page.text and ">Deny</button>" in page.text


def test_accept_redirects_with_code_and_state(sandbox_client):
    query = consent(sandbox_client, "accept")
    assert set(query) == {"code", "state"}
    assert query["state"] == "st4te-value"


def test_deny_redirects_with_access_denied(sandbox_client):
    query = consent(sandbox_client, "deny")
    assert query == {
        "error": "access_denied",
        "error_description": "User did not authorize the request",
        "state": "st4te-value",
    }


def test_consent_answer_needs_the_csrf_token_and_works_once(sandbox_client):
    page = sandbox_client.get("/authorize", query_string=authorize_params())
    transaction = form_field(page.text, "transaction")
    forged = sandbox_client.post(
        "/authorize", data={"transaction": transaction, "decision": "accept"}
    )
    assert forged.status_code == 400
    data = {"csrf_token": form_field(page.text, "csrf_token"), "transaction": transaction}
    assert sandbox_client.post("/authorize", data=data | {"decision": "accept"}).status_code == 302
    assert sandbox_client.post("/authorize", data=data | {"decision": "accept"}).status_code == 400


@pytest.mark.parametrize("as_json", [False, True])
def test_code_exchange_returns_lever_shaped_tokens(sandbox_client, get_code, as_json):
    response = exchange(sandbox_client, get_code(), as_json=as_json)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "refresh_token", "token_type", "scope", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].split()[0] == "offline_access"
    header, claims = _jwt_part(body["access_token"], 0), _jwt_part(body["access_token"], 1)
    assert header["alg"] == "HS512" and header["v"] == "2.0" and header["kid"]
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["https://oauth.lever.co/clientId"] == CLIENT_ID


def test_no_refresh_token_without_offline_access(sandbox_client, get_code):
    body = exchange(sandbox_client, get_code(scope="opportunities:read:admin")).json
    assert "refresh_token" not in body
    assert body["scope"] == "opportunities:read:admin"


def test_code_is_single_use(sandbox_client, get_code):
    code = get_code()
    assert exchange(sandbox_client, code).status_code == 200
    again = exchange(sandbox_client, code)
    assert again.status_code == 403
    assert again.json["error"] == "invalid_grant"


def test_code_needs_the_same_redirect_uri(sandbox_client, get_code):
    other = "http://localhost:5000/integrations/lever/oauth/callback"
    response = exchange(sandbox_client, get_code(), redirect_uri=other)
    assert response.status_code == 403
    assert response.json["error"] == "invalid_grant"


def test_bad_client_secret_is_401(sandbox_client, get_code):
    response = exchange(sandbox_client, get_code(), client_secret="wrong")
    assert response.status_code == 401
    assert response.json == {"error": "access_denied", "error_description": "Unauthorized"}


def test_refresh_tokens_rotate_and_reuse_is_invalid_grant(sandbox_client, token_pair, store):
    first = token_pair()
    second = refresh(sandbox_client, first["refresh_token"])
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert second.json["access_token"] != first["access_token"]
    reused = refresh(sandbox_client, first["refresh_token"])
    assert reused.status_code == 403
    assert reused.json == INVALID_REFRESH
    assert refresh(sandbox_client, second.json["refresh_token"]).status_code == 200
    assert store.counters["token_calls_refresh_token"] == 3
    assert store.counters["token_calls"] == 4


def test_refresh_accepts_json_and_rejects_unknown_tokens(sandbox_client, token_pair):
    body = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": token_pair()["refresh_token"],
    }
    assert sandbox_client.post("/oauth/token", json=body).status_code == 200
    unknown = sandbox_client.post("/oauth/token", json=body | {"refresh_token": "v1.nope"})
    assert unknown.status_code == 403
    assert unknown.json == INVALID_REFRESH


def test_revoke_kills_refresh_and_access_tokens(sandbox_client, token_pair, store):
    tokens = token_pair()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert sandbox_client.get("/v1/users", headers=headers).status_code == 200
    assert store.oauth.authorized_apps()[0]["client_id"] == CLIENT_ID
    assert store.revoke() == 1
    assert store.oauth.authorized_apps() == []
    assert refresh(sandbox_client, tokens["refresh_token"]).json == INVALID_REFRESH
    denied = sandbox_client.get("/v1/users", headers=headers)
    assert denied.status_code == 401
    assert denied.json == UNAUTHORIZED
    # Authorizing again works and gives a working token.
    fresh = {"Authorization": f"Bearer {token_pair()['access_token']}"}
    assert sandbox_client.get("/v1/users", headers=fresh).status_code == 200


def test_access_token_expires_after_its_ttl(sandbox_client, token_pair, store, clock):
    store.set_access_token_ttl(2)
    tokens = token_pair()
    assert tokens["expires_in"] == 2
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert sandbox_client.get("/v1/users", headers=headers).status_code == 200
    clock.advance(2.5)
    assert sandbox_client.get("/v1/users", headers=headers).status_code == 401
    renewed = refresh(sandbox_client, tokens["refresh_token"]).json
    headers = {"Authorization": f"Bearer {renewed['access_token']}"}
    assert sandbox_client.get("/v1/users", headers=headers).status_code == 200


def test_refresh_token_expires_after_90_idle_days(sandbox_client, token_pair, clock):
    tokens = token_pair()
    clock.advance(91 * 86400)
    assert refresh(sandbox_client, tokens["refresh_token"]).json == INVALID_REFRESH


def test_tampered_token_is_401(sandbox_client, token_pair):
    token = token_pair()["access_token"]
    header, _claims, signature = token.split(".")
    forged = _jwt_part(token, 1) | {"scope": "confidential:access:admin"}
    encoded = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    headers = {"Authorization": f"Bearer {header}.{encoded}.{signature}"}
    assert sandbox_client.get("/v1/users", headers=headers).status_code == 401
