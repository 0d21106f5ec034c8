"""Lever's OAuth authorization-code flow: authorize checks, codes, tokens, revocation."""

import secrets
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import scopes as lever_scopes
from . import tokens

CODE_TTL = 600
REFRESH_ABSOLUTE_TTL = 365 * 86400
REFRESH_IDLE_TTL = 90 * 86400
PENDING_TTL = 3600
DENIED = "User did not authorize the request"


class ClientError(Exception):
    """The client_id or redirect_uri is wrong: show an error page, never redirect."""


class RedirectError(Exception):
    """An authorize error reported back to the (registered) redirect URI."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


class TokenError(Exception):
    """A token-endpoint failure with its HTTP status and JSON body."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def with_query(url: str, params: dict) -> str:
    """Append parameters to a URL that may already have a query string."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


class OAuthService:
    """The authorization server half of the simulator; state lives in the store."""

    def __init__(self, store):
        self.store = store
        self._pending: dict[str, dict] = {}  # consent screens awaiting Accept/Deny

    @property
    def config(self) -> dict:
        return self.store.config

    def check_authorize(self, args, expected_audience: str) -> dict:
        """Validate an authorize request like Lever (Auth0) does and return it."""
        if args.get("client_id") != self.config["CLIENT_ID"]:
            raise ClientError("Unknown client: the client_id is not registered.")
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in self.config["REDIRECT_URIS"]:
            raise ClientError("The redirect_uri does not match any registered callback URL.")
        request = {
            "client_id": args["client_id"],
            "redirect_uri": redirect_uri,
            "state": args.get("state"),
            "audience": args.get("audience", ""),
            "scopes": args.get("scope", "").split(),
        }
        self._check_request(request, args.get("response_type"), expected_audience)
        return request

    def _check_request(self, request: dict, response_type, expected_audience: str) -> None:
        """Raise RedirectError for the errors Lever reports back to the app."""
        if response_type != "code":
            raise RedirectError("unsupported_response_type", "Unsupported response type")
        if not request["state"]:
            raise RedirectError("invalid_request", "Missing required parameter: state")
        if request["audience"] != expected_audience:
            raise RedirectError("access_denied", f"Service not found: {request['audience']}")
        if not request["scopes"]:
            raise RedirectError("invalid_scope", "Missing required parameter: scope")
        unknown = lever_scopes.unknown_scopes(request["scopes"])
        if unknown:
            raise RedirectError("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
        if len(request["scopes"]) > lever_scopes.MAX_SCOPES:
            raise RedirectError("invalid_scope", "Too many scopes requested (maximum 20)")

    def begin_consent(self, request: dict) -> str:
        """Remember a validated request until the admin answers; return its id."""
        now = self.store.clock()
        transaction = secrets.token_urlsafe(16)
        with self.store.lock:
            self._pending = {k: v for k, v in self._pending.items() if v["expires"] > now}
            self._pending[transaction] = {**request, "expires": now + PENDING_TTL}
        return transaction

    def decide(self, transaction: str, accept: bool) -> str | None:
        """Answer a consent screen; return the redirect URL or None if unknown."""
        with self.store.lock:
            request = self._pending.pop(transaction, None)
        if request is None:
            return None
        if not accept:
            return with_query(
                request["redirect_uri"],
                {"error": "access_denied", "error_description": DENIED, "state": request["state"]},
            )
        code = secrets.token_urlsafe(12)
        now = self.store.clock()
        with self.store.mutate() as state:
            state["codes"] = {k: v for k, v in state["codes"].items() if v["expires"] > now}
            state["codes"][code] = {
                key: request[key] for key in ("client_id", "redirect_uri", "audience", "scopes")
            } | {"expires": now + CODE_TTL}
        return with_query(request["redirect_uri"], {"code": code, "state": request["state"]})

    def token(self, params: dict, issuer: str) -> dict:
        """Handle a POST to /oauth/token; raise TokenError on failure."""
        grant_type = params.get("grant_type")
        self.store.count("token_calls")
        if grant_type in ("authorization_code", "refresh_token"):
            self.store.count(f"token_calls_{grant_type}")
        if not grant_type:
            raise TokenError(400, "invalid_request", "Missing required parameter: grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise TokenError(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
        if (
            params.get("client_id") != self.config["CLIENT_ID"]
            or not isinstance(params.get("client_secret"), str)
            or not secrets.compare_digest(params["client_secret"], self.config["CLIENT_SECRET"])
        ):
            raise TokenError(401, "access_denied", "Unauthorized")
        with self.store.mutate() as state:
            if grant_type == "authorization_code":
                grant = self._redeem_code(state, params)
            else:
                grant = self._redeem_refresh_token(state, params.get("refresh_token"))
            return self._issue(state, grant, issuer)

    def _redeem_code(self, state: dict, params: dict) -> dict:
        """Consume a one-time code and start a new grant."""
        # Popped before any check: a code is spent even by a failed exchange.
        code = state["codes"].pop(params.get("code") or "", None)
        if code is None or code["expires"] < self.store.clock():
            raise TokenError(403, "invalid_grant", "Invalid authorization code")
        if params.get("redirect_uri") and params["redirect_uri"] != code["redirect_uri"]:
            raise TokenError(403, "invalid_grant", "Redirect URI mismatch")
        grant = {
            "id": str(uuid.uuid4()),
            "client_id": code["client_id"],
            "scopes": code["scopes"],
            "audience": code["audience"],
            "created_at": self.store.clock(),
            "revoked_at": None,
        }
        state["grants"][grant["id"]] = grant
        return grant

    def _redeem_refresh_token(self, state: dict, refresh_token) -> dict:
        """Consume a refresh token (rotation: each one works once)."""
        record = state["refresh_tokens"].pop(refresh_token or "", None)
        grant = state["grants"].get(record["grant_id"]) if record else None
        now = self.store.clock()
        if (
            grant is None
            or grant["revoked_at"] is not None
            or grant["client_id"] != self.config["CLIENT_ID"]
            or now > grant["created_at"] + REFRESH_ABSOLUTE_TTL
            or now > record["issued_at"] + REFRESH_IDLE_TTL
        ):
            raise TokenError(403, "invalid_grant", "Unknown or invalid refresh token.")
        return grant

    def _issue(self, state: dict, grant: dict, issuer: str) -> dict:
        """Mint an access token (and a refresh token with offline_access)."""
        now = int(self.store.clock())
        ttl = int(self.store.settings["access_token_ttl"])
        user_id = state["users"][0]["id"]
        claims = {
            tokens.CLAIM_PREFIX + "userId": user_id,
            tokens.CLAIM_PREFIX + "accountId": state["account_id"],
            tokens.CLAIM_PREFIX + "clientId": grant["client_id"],
            "iss": issuer,
            "sub": f"lever-sandbox|{user_id}",
            "aud": grant["audience"],
            "iat": now,
            "exp": now + ttl,
            "azp": grant["client_id"],
            "scope": " ".join(grant["scopes"]),
            "jti": secrets.token_hex(8),
            "sid": grant["id"],
        }
        body = {
            "access_token": tokens.encode(claims, state["signing_key"], state["kid"]),
            "token_type": "Bearer",
            "scope": claims["scope"],
            "expires_in": ttl,
        }
        if "offline_access" in grant["scopes"]:
            refresh = "v1." + secrets.token_urlsafe(48)
            state["refresh_tokens"][refresh] = {"grant_id": grant["id"], "issued_at": now}
            body["refresh_token"] = refresh
        return body

    def verify(self, access_token: str) -> set[str] | None:
        """Return the scopes of a live access token, or None (bad, expired, revoked)."""
        with self.store.lock:
            state = self.store.state
            claims = tokens.decode(access_token, state["signing_key"])
            if claims is None or claims.get("exp", 0) <= self.store.clock():
                return None
            audience = self.config["AUDIENCE"]
            if audience and claims.get("aud") != audience:
                return None
            grant = state["grants"].get(claims.get("sid"))
            if grant is None or grant["revoked_at"] is not None:
                return None
            return set(claims.get("scope", "").split())

    def revoke(self, client_id: str | None = None) -> int:
        """Revoke every grant of a client (default: ours); return how many."""
        client_id = client_id or self.config["CLIENT_ID"]
        with self.store.mutate() as state:
            revoked = [
                grant["id"]
                for grant in state["grants"].values()
                if grant["client_id"] == client_id and grant["revoked_at"] is None
            ]
            for grant_id in revoked:
                state["grants"][grant_id]["revoked_at"] = self.store.clock()
            state["refresh_tokens"] = {
                token: record
                for token, record in state["refresh_tokens"].items()
                if record["grant_id"] not in revoked
            }
        return len(revoked)

    def authorized_apps(self) -> list[dict]:
        """List clients with live grants: client id, scopes, first and last authorization."""
        apps: dict[str, dict] = {}
        with self.store.lock:
            for grant in self.store.state["grants"].values():
                if grant["revoked_at"] is not None:
                    continue
                app = apps.setdefault(
                    grant["client_id"],
                    {"client_id": grant["client_id"], "scopes": [], "grants": 0},
                )
                app["grants"] += 1
                app["scopes"] = sorted(set(app["scopes"]) | set(grant["scopes"]))
                app["authorized_at"] = max(app.get("authorized_at", 0), grant["created_at"])
        return list(apps.values())
