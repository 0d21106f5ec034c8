"""The client to Lever reads the environment once per host and never takes a ~/.netrc login."""

import urllib3

from lever_cezanne.lever import http
from lever_cezanne.lever.client import LeverClient


def test_a_netrc_entry_for_lever_never_replaces_the_bearer_token(
    lever_server, authorised, tmp_path, monkeypatch
):
    host = lever_server.base_url.split("//", 1)[1].split(":", 1)[0]
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login someone password not-the-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setattr(http, "_http", None)  # a client made now, with the netrc in place
    reasons = LeverClient.for_integration(authorised.id).get_archive_reasons()
    assert reasons  # authorised with the integration's token: no Basic login was sent


def test_the_environments_proxies_are_read_once_per_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.delenv("no_proxy", raising=False)
    reads = []
    real = http.get_environ_proxies

    def counted(url, no_proxy=None):
        reads.append(url)
        return real(url, no_proxy)

    monkeypatch.setattr(http, "get_environ_proxies", counted)
    client = http.LeverHTTP()
    managers = [
        client.manager_for(f"https://api.lever.co/v1/{path}")
        for path in ("opportunities/1", "users/2")
    ]
    assert managers[0] is managers[1]
    assert isinstance(managers[0], urllib3.ProxyManager)
    assert managers[0].proxy.host == "proxy.example" and managers[0].proxy.port == 3128
    assert len(reads) == 1
    # NO_PROXY is honoured, and a host without a proxy gets the direct pool.
    direct = client.manager_for("https://internal.example/v1/users")
    assert not isinstance(direct, urllib3.ProxyManager)


def test_query_parameters_are_encoded_as_requests_did():
    assert http._with_query("https://x/v1/a", None) == "https://x/v1/a"
    assert http._with_query("https://x/v1/a", {"expand": "contact", "skip": None}) == (
        "https://x/v1/a?expand=contact"
    )
    assert http._with_query(
        "https://x/v1/o", {"archive_reason_id": ["r1", "r 2"], "limit": 100}
    ) == ("https://x/v1/o?archive_reason_id=r1&archive_reason_id=r+2&limit=100")


def test_a_redirect_to_another_host_is_followed_without_the_token():
    """As requests did: Lever may redirect (its EU hosts); the Bearer token stays with Lever."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.headers["Host"], self.path, self.headers.get("Authorization")))
            if self.path.startswith("/v1/"):
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/files/1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"data": {"ok": true}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # a note is never sent on to wherever Lever redirects
            seen.append((self.headers["Host"], self.path, self.headers.get("Authorization")))
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{port}/files/1")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        response = http.LeverHTTP().request(
            "GET",
            f"http://127.0.0.1:{port}/v1/file",
            headers={"Authorization": "Bearer secret-token"},
            timeout=(3, 5),
        )
        assert response.status_code == 200 and response.json() == {"data": {"ok": True}}
        posted = http.LeverHTTP().request(
            "POST", f"http://127.0.0.1:{port}/v1/notes", json_body={"value": "x"}, timeout=5
        )
        assert posted.status_code == 307 and len(seen) == 3
    finally:
        server.shutdown()
        server.server_close()
    assert seen[0][2] == "Bearer secret-token"
    assert seen[1][0] == f"localhost:{port}" and seen[1][2] is None


def test_a_proxy_login_and_a_proxy_without_scheme_work_as_with_requests(monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy-user:s%40cret@proxy.example:3128")
    manager = http.LeverHTTP().manager_for("https://api.lever.co/v1/users")
    assert manager.proxy_headers == urllib3.make_headers(proxy_basic_auth="proxy-user:s@cret")
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:3128")
    manager = http.LeverHTTP().manager_for("https://api.lever.co/v1/users")
    assert (manager.proxy.scheme, manager.proxy.host) == ("http", "proxy.example")
    assert not manager.proxy_headers


def test_an_unusable_proxy_is_a_transport_failure_that_names_itself(monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "socks5://proxy.example:1080")
    try:
        http.LeverHTTP().manager_for("https://api.lever.co/v1/users")
    except http.TransportError as exc:
        assert http.failure_detail(exc) == "ProxySettingError"
    else:
        raise AssertionError("a SOCKS proxy was accepted")
