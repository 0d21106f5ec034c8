"""Shared helpers for the simulator tests: constants, a fake clock, OAuth steps, a receiver."""

import http.server
import json
import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "lever-cezanne-local"
CLIENT_SECRET = "lever-cezanne-local-secret"
REDIRECT_URI = "http://127.0.0.1:5000/integrations/lever/oauth/callback"
AUDIENCE = "http://localhost/v1/"
SCOPES = "offline_access opportunities:read:admin offers:read:admin archive_reasons:read:admin"
SCOPES += " users:read:admin"
UNAUTHORIZED = {"code": "UnauthorizedError", "message": "The request requires authentication."}


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_config(**overrides) -> dict:
    """Return a test config: in memory, synchronous, no rate limit, no webhook URL."""
    config = {
        "STATE_PATH": None,
        "WEBHOOK_SYNC": True,
        "WEBHOOK_RETRY_DELAYS": [0.01, 0.01, 0.01, 0.01, 0.01],
        "WEBHOOK_TIMEOUT": 2,
        "RATE_LIMIT": None,
        "WEBHOOK_URL": "",
        "SECRET_KEY": "sandbox-tests",
        "FAULT_SEED": 1234,
    }
    config.update(overrides)
    return config


def form_field(html: str, name: str) -> str:
    """Read a hidden input's value from a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def authorize_params(**overrides) -> dict:
    """Return a valid authorize query with changes (None removes a parameter)."""
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "state": "st4te-value",
        "audience": AUDIENCE,
        "scope": SCOPES,
        "prompt": "consent",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def redirect_query(response) -> dict:
    """Check a redirect goes to the registered callback and return its query."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def consent(client, decision: str = "accept", **overrides) -> dict:
    """Open the consent screen, answer it, and return the redirect's query."""
    page = client.get("/authorize", query_string=authorize_params(**overrides))
    assert page.status_code == 200, page.text
    response = client.post(
        "/authorize",
        data={
            "csrf_token": form_field(page.text, "csrf_token"),
            "transaction": form_field(page.text, "transaction"),
            "decision": decision,
        },
    )
    return redirect_query(response)


def exchange(client, code: str, as_json: bool = False, **changes):
    """POST an authorization_code grant."""
    body = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": code,
        "redirect_uri": REDIRECT_URI,
    } | changes
    if as_json:
        return client.post("/oauth/token", json=body)
    return client.post("/oauth/token", data=body)


def refresh(client, refresh_token: str):
    """POST a refresh_token grant."""
    return client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token,
        },
    )


class Receiver:
    """A real HTTP server on 127.0.0.1 recording webhook requests."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answered in order, then 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "raw": raw}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                # Only a client that followed a redirect would come here.
                receiver.requests.append({"path": self.path, "headers": dict(self.headers)})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook/demo"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def bodies(self) -> list[dict]:
        return [json.loads(request["raw"]) for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
