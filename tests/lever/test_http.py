"""The session to Lever reads the environment once per host and never takes a ~/.netrc login."""

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
    monkeypatch.setattr(http, "_http", None)  # a session made now, with the netrc in place
    reasons = LeverClient.for_integration(authorised.id).get_archive_reasons()
    assert reasons  # authorised with the integration's token: requests sent no Basic login


def test_the_environments_proxies_are_read_once_per_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    reads = []
    real = http.get_environ_proxies

    def counted(url, no_proxy=None):
        reads.append(url)
        return real(url, no_proxy)

    monkeypatch.setattr(http, "get_environ_proxies", counted)
    session = http.LeverSession()
    for path in ("opportunities/1", "users/2"):
        settings = session.merge_environment_settings(
            f"https://api.lever.co/v1/{path}", {}, None, None, None
        )
        assert settings["proxies"]["https"] == "http://proxy.example:3128"
    assert len(reads) == 1
