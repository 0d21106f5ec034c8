"""The process's one HTTP session to Lever: connections reused, the environment read once.

requests reads the proxy and CA-bundle variables from the environment and looks for a ~/.netrc on
every request when `trust_env` is on: 3 % of a worker's CPU per hire, for settings a process's
environment never changes. This session reads them once per Lever host instead, and never takes
credentials from a ~/.netrc (which would replace the integration's Bearer token).
"""

import os
import threading
from urllib.parse import urlparse

import requests
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

_http: requests.Session | None = None
_http_lock = threading.Lock()


def _keep_our_authorization(request):
    """Session-wide auth that changes nothing: the caller's Authorization header stands."""
    return request


class LeverSession(requests.Session):
    """A requests.Session that reads the environment's proxy settings once per host."""

    def __init__(self):
        super().__init__()
        self.auth = _keep_our_authorization  # requests skips ~/.netrc when a session has auth
        self._environment: dict[tuple[str, str], tuple[dict, str | None]] = {}
        self._environment_lock = threading.Lock()

    def _environment_for(self, url: str) -> tuple[dict, str | None]:
        parts = urlparse(url)
        origin = (parts.scheme, parts.netloc)
        with self._environment_lock:
            found = self._environment.get(origin)
            if found is None:
                bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                found = self._environment[origin] = (get_environ_proxies(url), bundle)
            return found

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        """What requests does, with the environment's part read once per host."""
        if not self.trust_env or (proxies is not None and "no_proxy" in proxies):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        env_proxies, bundle = self._environment_for(url)
        if proxies is not None:
            for key, value in env_proxies.items():
                proxies.setdefault(key, value)
        if verify is True or verify is None:
            verify = bundle or verify
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


def http_session() -> requests.Session:
    """Return this process's session to Lever, so connections are reused."""
    global _http
    with _http_lock:
        if _http is None:
            _http = LeverSession()
            _http.headers.update({"Accept": "application/json", "User-Agent": "CezanneHR-Lever"})
        return _http
