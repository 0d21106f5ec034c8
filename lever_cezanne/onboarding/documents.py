"""Fetch a hire's signed offer letter and latest resume from Lever into their Documents.

A download is streamed with a cap (MAX_DOCUMENT_BYTES) and an overall deadline, so a huge or
endless body is never read into memory. A file is stored at most once per person: a run skips a
file whose Lever offer or resume is already stored, and the unique (person, sha256) key skips
the insert of a file a concurrent twin stored first. A hire's files are stored together, in the
caller's commit (the delivery's outcome), or at once when the run stops for a busy Lever.
"""

import hashlib
import re
import time
from contextlib import closing
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from lever_cezanne.extensions import db
from lever_cezanne.lever import scopes
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import (
    LeverError,
    LeverForbiddenError,
    LeverNotFoundError,
    LeverTransientError,
)
from lever_cezanne.lever.http import LeverResponse, TransportError, failure_detail
from lever_cezanne.lever.ids import is_lever_id
from lever_cezanne.models import Document
from lever_cezanne.models.documents import MAX_DOCUMENT_BYTES, SOURCE_LABELS, DocumentSource
from lever_cezanne.models.integration import LEVEL_WARNING
from lever_cezanne.onboarding.offers import latest_signed_offer

CHUNK = 64 * 1024
DOWNLOAD_SECONDS = 120  # a whole download, however slowly Lever trickles it
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")
OCTET_STREAM = "application/octet-stream"


class DocumentProblem(Exception):
    """The file was not stored; the message says why, for a Warning row.

    `busy` is the LeverTransientError when Lever was busy, timed out or cut the download off:
    the job raises it to retry, unless this is its last attempt."""

    def __init__(self, message: str, busy: LeverTransientError | None = None):
        super().__init__(message)
        self.busy = busy


@dataclass(frozen=True)
class Wanted:
    """One file to fetch: where it is in Lever and what it is called."""

    source: DocumentSource
    lever_id: str
    name: str
    path: str
    params: dict
    scope: str


def megabytes(size: int) -> str:
    """Return a size as people read it: 20 MB, 20.4 MB."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def safe_name(name, fallback: str) -> str:
    """Return a file name without paths or control characters, at most 255 characters."""
    text = name if isinstance(name, str) else ""
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip().strip(".")
    return text[:255] or fallback


def content_type_of(response: LeverResponse) -> str:
    """Return the response's media type if it is well formed, else application/octet-stream."""
    value = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    return value if _CONTENT_TYPE.fullmatch(value) else OCTET_STREAM


def _offer_letter(opportunity_id: str, offers: list) -> Wanted | None:
    offer = latest_signed_offer(offers)
    if offer is None or not is_lever_id(offer.id):
        return None
    raw = next((o for o in offers if isinstance(o, dict) and o.get("id") == offer.id), {})
    signed = raw.get("signedDocument")
    if not isinstance(signed, dict):
        return None  # signed outside Lever: there is no signed document to fetch
    return Wanted(
        DocumentSource.OFFER_LETTER,
        offer.id,
        safe_name(signed.get("fileName"), "signed-offer-letter.pdf"),
        f"/opportunities/{opportunity_id}/offers/{offer.id}/download",
        {"status": "signed"},
        scopes.OFFER_LETTER,
    )


def _latest_resume(opportunity_id: str, resumes: list) -> Wanted | None:
    usable = [r for r in resumes if isinstance(r, dict) and is_lever_id(r.get("id"))]
    if not usable:
        return None

    def created(resume):
        value = resume.get("createdAt")
        return value if isinstance(value, int) else 0

    resume = max(usable, key=created)
    file = resume.get("file") if isinstance(resume.get("file"), dict) else {}
    return Wanted(
        DocumentSource.RESUME,
        resume["id"],
        safe_name(file.get("name"), "resume"),
        f"/opportunities/{opportunity_id}/resumes/{resume['id']}/download",
        {},
        scopes.RESUMES,
    )


def _refused(exc: LeverError, scope: str) -> str:
    if isinstance(exc, LeverForbiddenError):
        return (
            f"Lever refused it because this integration was not allowed {scope}. "
            f"{scopes.REAUTHORISE_FOR_MORE} under Integrations › Lever"
        )
    if isinstance(exc, LeverNotFoundError):
        return "Lever has no such file (it may have been deleted)"
    if isinstance(exc, LeverTransientError):
        return exc.problem
    return str(exc).rstrip(".")


def download(client: LeverClient, wanted: Wanted) -> tuple[bytes, str]:
    """Stream one file from Lever with the size cap and deadline; return its bytes and type."""
    try:
        response = client.open_download(wanted.path, wanted.params)
    except LeverTransientError as exc:
        raise DocumentProblem(_refused(exc, wanted.scope), exc) from exc
    except LeverError as exc:
        raise DocumentProblem(_refused(exc, wanted.scope)) from exc
    with closing(response):
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
            raise DocumentProblem(_too_big(int(declared)))
        body = bytearray()
        deadline = time.monotonic() + DOWNLOAD_SECONDS
        try:
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise DocumentProblem(_too_big(None))
                if time.monotonic() > deadline:
                    raise DocumentProblem("the download from Lever took too long")
        except TransportError as exc:
            busy = LeverTransientError(
                "Lever's download of a file timed out or was cut off",
                detail=failure_detail(exc),
            )
            raise DocumentProblem("the download from Lever timed out or was cut off", busy) from exc
        return bytes(body), content_type_of(response)


def _too_big(size: int | None) -> str:
    what = f"it is {megabytes(size)} ({size:,} bytes)" if size else "it is larger than that"
    return (
        f"the limit is {megabytes(MAX_DOCUMENT_BYTES)} per file and {what}. "
        "Open the candidate in Lever to see it"
    )


@dataclass(frozen=True)
class Fetched:
    """A downloaded file, to be stored."""

    wanted: Wanted
    data: bytes
    content_type: str


def _stored(person_id: int) -> tuple[set[tuple[str, str]], set[str]]:
    """Return the person's stored files: their (source, Lever id) pairs and their digests."""
    rows = db.session.execute(
        select(Document.source, Document.lever_id, Document.sha256).where(
            Document.person_id == person_id
        )
    ).all()
    return {(row.source, row.lever_id) for row in rows}, {row.sha256 for row in rows}


# A plain INSERT of the table, built once: nothing reads the rows back, so the ORM's unit of
# work for them cost a worker more than the INSERT itself. A file already stored is skipped.
_INSERT = {
    dialect.dialect.name: dialect.insert(Document.__table__).on_conflict_do_nothing()
    for dialect in (postgresql, sqlite)
}


def _document(person_id: int, fetched: Fetched, digest: str) -> dict:
    return {
        "person_id": person_id,
        "name": fetched.wanted.name,
        "content_type": fetched.content_type,
        "size": len(fetched.data),
        "sha256": digest,
        "source": fetched.wanted.source,
        "lever_id": fetched.wanted.lever_id,
        "content": fetched.data,
    }


def store(person_id: int, files: list[Fetched], digests: set[str]) -> None:
    """Add the files the person does not have yet (by content) to the transaction, for the
    caller's commit; one a concurrent run stored first is skipped by the unique (person, sha256)
    key."""
    new = {}
    for fetched in files:
        digest = hashlib.sha256(fetched.data).hexdigest()
        if digest not in digests and digest not in new:
            new[digest] = fetched
    if new:
        db.session.execute(
            _INSERT[db.engine.dialect.name],
            [_document(person_id, fetched, digest) for digest, fetched in new.items()],
        )


def _fetch_one(client: LeverClient, hire_log, wanted: Wanted) -> Fetched | None:
    """Download one file; a problem is a Warning row (or, Lever busy before the last attempt,
    LeverTransientError)."""
    label = SOURCE_LABELS[wanted.source]
    try:
        data, content_type = download(client, wanted)
    except DocumentProblem as exc:
        if exc.busy is not None and not hire_log.final_attempt:
            raise exc.busy from exc
        hire_log.write_for_person(
            LEVEL_WARNING,
            f"{label} {wanted.name} for {hire_log.who} was not stored in Documents: {exc}.",
        )
        return None
    return Fetched(wanted, data, content_type)


def fetch_documents(client: LeverClient, hire_log, offers: list, new_person: bool = False) -> None:
    """Store the hire's signed offer letter and latest resume, for the caller's commit; problems
    become Warning rows.

    `new_person`: the person was created by this run, so nothing is stored for them yet (a file
    stored meanwhile by someone else is still kept once, by the unique (person, digest) key)."""
    opportunity_id = hire_log.opportunity_id
    wanted = [_offer_letter(opportunity_id, offers)]
    try:
        resumes = client.get_resumes(opportunity_id)
    except LeverError as exc:
        if isinstance(exc, LeverTransientError) and not hire_log.final_attempt:
            raise
        hire_log.write_for_person(
            LEVEL_WARNING,
            f"The resume for {hire_log.who} was not stored in Documents: "
            f"{_refused(exc, scopes.RESUMES)}.",
        )
    else:
        wanted.append(_latest_resume(opportunity_id, resumes))
    person_id = hire_log.person.id
    files, digests = (set(), set()) if new_person else _stored(person_id)
    fetched: list[Fetched] = []
    try:
        for item in wanted:
            if item is None or (item.source, item.lever_id) in files:
                continue
            found = _fetch_one(client, hire_log, item)
            if found is not None:
                fetched.append(found)
    except LeverTransientError:
        store(person_id, fetched, digests)  # what was downloaded is kept for the retry
        db.session.commit()
        raise
    # Stored quietly, together, with the delivery's outcome: the person page lists them; only a
    # file that could not be stored is a row.
    store(person_id, fetched, digests)
