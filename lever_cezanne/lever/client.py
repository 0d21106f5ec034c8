"""The Lever Data API client used by the background jobs and the Test connection button.

    client = LeverClient.for_integration(integration_id)
    opportunity = client.get_opportunity(opportunity_id)

Every call waits for the shared rate limit, has a timeout, and raises a ``LeverError`` subclass
(see ``errors``) instead of retrying: the background job retries transient failures via RQ.
The caller writes the Log row, so each delivery gets exactly one Error.

Transactions: a token refresh COMMITS (only the token columns; see ``tokens``). Do not hold
uncommitted work in ``db.session`` across calls to this client.
"""

import logging
from email.utils import parsedate_to_datetime

from flask import current_app

from lever_cezanne.lever import oauth, tokens
from lever_cezanne.lever.errors import (
    LeverError,
    LeverForbiddenError,
    LeverNotFoundError,
    LeverPagingError,
    LeverRequestError,
    LeverTransientError,
)
from lever_cezanne.lever.http import (
    TIMEOUT,
    LeverResponse,
    TransportError,
    failure_detail,
    lever_http,
)
from lever_cezanne.lever.ids import is_lever_id
from lever_cezanne.lever.ratelimit import MAX_WAIT, SYNC_RESERVE, bucket_for, wait_for_token
from lever_cezanne.models.base import utcnow

log = logging.getLogger(__name__)
MAX_PAGES = 50  # 5,000 records: far more offers or archive reasons than any account has
MAX_HIRE_PAGES = 1000  # 100,000 hires in one sync window: a cursor that never ends, not an account


class LeverClient:
    """Read Lever data on behalf of one integration."""

    def __init__(self, integration_id: int, token: tokens.AccessToken, low_priority=False):
        self.integration_id = integration_id
        self._token = token
        # The catch-up sync's calls wait while live webhooks need the shared budget.
        self._reserve = SYNC_RESERVE if low_priority else 0

    @classmethod
    def for_integration(cls, integration_id: int, low_priority: bool = False) -> "LeverClient":
        """Build a client from the integration's stored (encrypted) access token."""
        return cls.for_loaded(tokens.load_integration(integration_id), low_priority)

    @classmethod
    def for_loaded(cls, integration, low_priority: bool = False) -> "LeverClient":
        """Build a client from an integration the caller has just read fresh (populate_existing),
        as load_integration does, so its token is the stored one."""
        tokens.check_usable(integration)
        return cls(integration.id, tokens.current_token(integration), low_priority)

    def get(self, path: str, params: dict | list | None = None) -> dict:
        """GET an API path (e.g. "/archive_reasons") and return Lever's JSON envelope."""
        return _parse(self._call("GET", path, params))

    def post(self, path: str, body: dict, params: dict | None = None) -> dict:
        """POST a JSON body to an API path and return Lever's JSON envelope (never retried)."""
        return _parse(self._call("POST", path, params, body=body))

    def _call(self, method: str, path: str, params=None, body=None, stream=False):
        """Send a request, refreshing the token once if Lever answers 401."""
        token = self._fresh_token()
        response = self._send(method, path, params, token, body, stream)
        if response.status_code == 401:
            response.close()
            # The token may have been revoked or rotated early: refresh once, then give up.
            token = tokens.refresh_access_token(self.integration_id, token, force=True)
            self._token = token
            response = self._send(method, path, params, token, body, stream)
            if response.status_code == 401:
                response.close()
                tokens.refuse_fresh_token(self.integration_id, token)
        return response

    def open_download(self, path: str, params: dict | None = None) -> LeverResponse:
        """Start downloading a file; the caller reads it in chunks and must close it.

        Raises the matching LeverError (404 → LeverNotFoundError, 403 → LeverForbiddenError)
        before any of the body is read.
        """
        response = self._call("GET", path, params, stream=True)
        if not 200 <= response.status_code < 300:
            try:
                raise _error(response.status_code, _lever_message(response), response)
            finally:
                response.close()
        return response

    def get_opportunity(self, opportunity_id: str) -> dict:
        """Return an opportunity with its contact expanded."""
        envelope = self.get(f"/opportunities/{_segment(opportunity_id)}", {"expand": "contact"})
        return _data(envelope, dict)

    def get_offers(self, opportunity_id: str) -> list[dict]:
        """Return every offer of an opportunity."""
        return self._get_all(f"/opportunities/{_segment(opportunity_id)}/offers", {})

    def get_resumes(self, opportunity_id: str) -> list[dict]:
        """Return every resume of an opportunity."""
        return self._get_all(f"/opportunities/{_segment(opportunity_id)}/resumes", {})

    def get_notes(self, opportunity_id: str) -> list[dict]:
        """Return every note of an opportunity (notes:write:admin includes reading them)."""
        return self._get_all(f"/opportunities/{_segment(opportunity_id)}/notes", {})

    def add_note(self, opportunity_id: str, text: str) -> str | None:
        """Add a note to an opportunity; return Lever's note id."""
        envelope = self.post(f"/opportunities/{_segment(opportunity_id)}/notes", {"value": text})
        data = envelope.get("data")
        note_id = data.get("noteId") if isinstance(data, dict) else None
        return note_id if isinstance(note_id, str) else None

    def get_user(self, user_id: str) -> dict:
        """Return one Lever user (name, e-mail, ...) by id."""
        return _data(self.get(f"/users/{_segment(user_id)}"), dict)

    def find_user(self, user_id: str) -> dict | None:
        """Return one Lever user, or None when Lever has no such user or will not show it."""
        try:
            return self.get_user(user_id)
        except (LeverNotFoundError, LeverRequestError):
            return None

    def get_archive_reasons(self, type_: str | None = None) -> list[dict]:
        """Return the account's archive reasons, optionally only one type (hired, non-hired)."""
        return self._get_all("/archive_reasons", {"type": type_} if type_ else {})

    def list_archived(self, reason_ids: list[str], start_ms: int, end_ms: int):
        """Yield the opportunities archived with one of these reasons in [start_ms, end_ms],
        page by page (only id, name, contact and archived are read). A page that repeats an id,
        or a cursor seen before, raises LeverPagingError instead of looping."""
        params = {
            "archive_reason_id": list(reason_ids),
            "archived_at_start": start_ms,
            "archived_at_end": end_ms,
            "limit": 100,
        }
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        for _ in range(MAX_HIRE_PAGES):
            envelope = self.get("/opportunities", params)
            for opportunity in _data(envelope, list):
                found = opportunity.get("id") if isinstance(opportunity, dict) else None
                if found in seen_ids:
                    raise LeverPagingError(
                        f"Lever listed opportunity {found} twice, so the list cannot be trusted."
                    )
                seen_ids.add(found)
                yield opportunity
            cursor = envelope.get("next")
            if not envelope.get("hasNext") or not cursor:
                return
            if cursor in seen_cursors:
                raise LeverPagingError("Lever sent the same page cursor twice (a loop).")
            seen_cursors.add(cursor)
            params = {**params, "offset": cursor}
        raise LeverPagingError(f"Lever's list did not end after {MAX_HIRE_PAGES} pages.")

    def _get_all(self, path: str, params: dict) -> list[dict]:
        """Follow Lever's offset pagination and return every item."""
        items: list[dict] = []
        for _ in range(MAX_PAGES):
            envelope = self.get(path, params)
            items.extend(_data(envelope, list))
            if not envelope.get("hasNext") or not envelope.get("next"):
                return items
            params = {**params, "offset": envelope["next"]}
        raise LeverRequestError(f"Lever returned more than {MAX_PAGES} pages for {path}.")

    def _fresh_token(self) -> tokens.AccessToken:
        if not tokens.is_fresh(self._token):
            self._token = tokens.refresh_access_token(self.integration_id, self._token)
        return self._token

    def _send(
        self, method: str, path: str, params, token: tokens.AccessToken, body=None, stream=False
    ) -> LeverResponse:
        if path.startswith(("http:", "https:", "//")):
            raise ValueError("pass an API path, not a URL: the token must only go to Lever")
        config = current_app.config
        wait_for_token(
            bucket_for(self.integration_id),
            config.get("LEVER_RATE_WAIT", MAX_WAIT),
            reserve=self._reserve,
        )
        url = f"{config['LEVER_API_URL']}/{path.lstrip('/')}"
        try:
            response = lever_http().request(
                method,
                url,
                params=params,
                json_body=body,
                headers={"Authorization": f"Bearer {token.value}"},
                timeout=oauth.timeout(),
                stream=stream,
            )
        except TransportError as exc:
            detail = failure_detail(exc)
            timed_out = detail == TIMEOUT
            what = "Lever did not answer in time" if timed_out else "Lever could not be reached"
            raise LeverTransientError(what, detail=detail) from exc
        log.debug("Lever %s %s answered %s", method, path, response.status_code)
        return response


def _segment(value: str) -> str:
    """Return an opportunity id as one URL path segment, refusing anything that is not an id."""
    if not value or not isinstance(value, str):
        raise LeverRequestError("The Lever opportunity id is missing.")
    # Checked before any URL is built: "." or ".." would otherwise call /v1/ or the whole
    # opportunity list with this integration's token.
    if not is_lever_id(value):
        raise LeverRequestError(
            "The opportunity id from Lever is not a valid Lever id, so it was not looked up."
        )
    return value


def _data(envelope: dict, kind: type):
    data = envelope.get("data")
    if not isinstance(data, kind):
        raise LeverTransientError(
            "Lever sent an answer we could not read",
            detail="unreadable data",
        )
    return data


def _lever_message(response: LeverResponse) -> str:
    """Return Lever's own error text (it never contains secrets), shortened."""
    try:
        body = response.json()
    except (ValueError, TransportError):  # not JSON, or cut off: the status says enough
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return str(message)[:200] if message else ""


def _retry_after(response: LeverResponse) -> float | None:
    """Read a Retry-After header in seconds or as an HTTP date (Lever usually sends none)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def _parse(response: LeverResponse) -> dict:
    """Return the JSON envelope of a success, or raise the matching LeverError."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise LeverTransientError(
                "Lever sent an answer we could not read",
                detail=f"HTTP {status} without a JSON object",
            )
        return body
    raise _error(status, _lever_message(response), response)


def _error(status: int, message: str, response: LeverResponse) -> LeverError:
    # People read these messages (Log tab, flashes): they say what happened in words; the raw
    # status code is for operators, in the server log (a transient one in the caller's line).
    if status == 429:
        return LeverTransientError(
            "Lever asked us to slow down (too many requests)",
            retry_after=_retry_after(response),
            detail=f"HTTP {status}",
        )
    if status >= 500:
        return LeverTransientError(
            "Lever is having problems on its side",
            retry_after=_retry_after(response),
            detail=f"HTTP {status}",
        )
    log.warning("Lever answered HTTP %s", status)
    detail = f" ({message})" if message else ""
    if status == 404:
        return LeverNotFoundError(f"Lever has no such record{detail}.")
    if status == 403:
        return LeverForbiddenError(
            f"Lever refused access{detail}: re-authorise under Integrations › Lever so Cezanne HR "
            "gets the permissions it needs."
        )
    return LeverRequestError(f"Lever refused the request{detail}.")
