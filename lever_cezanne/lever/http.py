"""The process's one HTTP client to Lever, on urllib3: connections reused, the environment read
once per host.

The Data API calls go to urllib3 directly, not through requests: a requests Session's hooks,
cookie jar, settings merge and response wrapping cost a worker about a tenth of its CPU per hire,
for features these calls never use. What requests gave them is kept:
- the environment's proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), read once per host;
- its CA bundle (REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else certifi's);
- a proxy's own login (`http://user:password@proxy:3128`), and a proxy given without a scheme;
- redirects of a GET followed, the Authorization header dropped when one leads to another host
  (a redirect's target goes through the first host's proxy choice; a POST is never redirected);
- gzip and deflate answers decoded;
- no login ever taken from a ~/.netrc (it would replace the integration's Bearer token).

The token calls (Authlib's OAuth2Session) still use requests: a few per hour.
"""

import json
import os
import threading
from urllib.parse import urlencode, urlparse

import certifi
import urllib3
from requests.utils import get_auth_from_url, get_environ_proxies, prepend_scheme_if_needed
from urllib3.exceptions import (
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ResponseError,
    TimeoutError,
)

MAX_REDIRECTS = 30  # as requests
HEADERS = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
    "User-Agent": "CezanneHR-Lever",
}
# Every failure raises at once (the job retries with its backoff); only redirects are followed.
_RETRIES = urllib3.Retry(
    total=None,
    connect=0,
    read=0,
    status=0,
    other=0,
    redirect=MAX_REDIRECTS,
    raise_on_status=False,
    respect_retry_after_header=False,
)
_http: "LeverHTTP | None" = None
_http_lock = threading.Lock()

TransportError = HTTPError  # what a request or a streamed body raises when the transport fails
TIMEOUT = "Timeout"  # failure_detail's name for a timeout


class ProxySettingError(HTTPError):
    """The environment names a proxy this client cannot use."""


class LeverResponse:
    """An answer from Lever: its status, headers, and its body as JSON or in chunks."""

    def __init__(self, raw: urllib3.BaseHTTPResponse):
        self.raw = raw
        self.status_code = raw.status
        self.headers = raw.headers  # case-insensitive

    def json(self):
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.raw.data)

    def iter_content(self, size: int):
        """Yield the (decoded) body in chunks of up to `size` bytes."""
        return self.raw.stream(size)

    def close(self) -> None:
        """Give the connection back: closed first if the body was not read to its end."""
        self.raw.close()
        self.raw.release_conn()


def failure_detail(exc: Exception) -> str:
    """Name a transport failure for the operators' log line, as requests named them."""
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        if isinstance(exc.reason, ResponseError):
            return "TooManyRedirects"
        exc = exc.reason
    if isinstance(exc, NewConnectionError | ProtocolError):  # refused, reset, cut off
        return "ConnectionError"
    if isinstance(exc, TimeoutError):
        return TIMEOUT
    return type(exc).__name__  # ProxyError, SSLError, ...


def _timeout(value) -> urllib3.Timeout:
    if isinstance(value, tuple | list):
        connect, read = value
        return urllib3.Timeout(connect=connect, read=read)
    return urllib3.Timeout(connect=value, read=value)


def _with_query(url: str, params) -> str:
    items = params.items() if isinstance(params, dict) else params or ()
    query = urlencode([(k, v) for k, v in items if v is not None], doseq=True)
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


class LeverHTTP:
    """urllib3 pools to Lever, directly or through the environment's proxy for each host."""

    def __init__(self):
        environ = os.environ
        bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
        self._ca_certs = bundle or certifi.where()
        self._direct = urllib3.PoolManager(maxsize=10, ca_certs=self._ca_certs)
        self._managers: dict[tuple[str, str], urllib3.PoolManager] = {}
        self._proxies: dict[str, urllib3.ProxyManager] = {}
        self._lock = threading.Lock()

    def manager_for(self, url: str) -> urllib3.PoolManager:
        """The pool for this URL's host: the environment's proxy for it, read once."""
        parts = urlparse(url)
        origin = (parts.scheme, parts.netloc)
        manager = self._managers.get(origin)
        if manager is not None:
            return manager
        with self._lock:
            proxies = get_environ_proxies(url)
            proxy = proxies.get(parts.scheme) or proxies.get("all")
            if not proxy:
                manager = self._direct
            else:
                manager = self._proxies.get(proxy)
                if manager is None:
                    manager = self._proxies[proxy] = self._proxy_manager(proxy)
            self._managers[origin] = manager
            return manager

    def _proxy_manager(self, proxy: str) -> urllib3.ProxyManager:
        """A pool through this proxy, with its login if the URL has one (as requests did)."""
        proxy = prepend_scheme_if_needed(proxy, "http")
        if not proxy.startswith(("http://", "https://")):
            raise ProxySettingError(
                f"the proxy for Lever must be an http:// or https:// URL, not {proxy.split(':')[0]}"
            )
        user, password = get_auth_from_url(proxy)
        headers = urllib3.make_headers(proxy_basic_auth=f"{user}:{password}") if user else None
        return urllib3.ProxyManager(
            proxy, maxsize=10, ca_certs=self._ca_certs, proxy_headers=headers
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params=None,
        json_body=None,
        headers: dict | None = None,
        timeout=None,
        stream: bool = False,
    ) -> LeverResponse:
        """Send one request; raise TransportError when the transport fails."""
        sent = {**HEADERS, **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body, allow_nan=False).encode()
            sent["Content-Type"] = "application/json"
        url = _with_query(url, params)
        raw = self.manager_for(url).request(
            method,
            url,
            body=body,
            headers=sent,
            timeout=_timeout(timeout) if timeout is not None else urllib3.Timeout.DEFAULT_TIMEOUT,
            retries=_RETRIES,
            preload_content=not stream,
            decode_content=True,
            redirect=method in ("GET", "HEAD"),
        )
        return LeverResponse(raw)


def lever_http() -> LeverHTTP:
    """Return this process's client to Lever, so connections are reused."""
    global _http
    if _http is None:
        with _http_lock:
            if _http is None:
                _http = LeverHTTP()
    return _http
