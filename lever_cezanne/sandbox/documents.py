"""The simulator's files: offer letters and resumes as real (tiny) PDFs, and notes.

A file's bytes are not stored: they are rebuilt from the candidate on every download, so they
are the same every time (tests compare them byte for byte) and the state file stays small. A
spec may make a file large (``size``, streamed in chunks, never held whole), missing (its
download answers 404), slow (``delay_ms`` before the answer) or busy (``busy``: a list of
statuses, 429 or 500, that its first downloads answer, in order, before it is served).
"""

import hashlib
import uuid

CHUNK = 64 * 1024
PDF = "application/pdf"
FILE_OPTIONS = ("size", "missing", "delay_ms", "busy")
BUSY_ANSWERS = {
    429: ("TooManyRequests", "Rate limit exceeded, please retry later."),
    500: ("InternalServerError", "An unexpected error occurred."),
}


def _pdf_text(text: str) -> str:
    """Escape text for a PDF string in the standard (WinAnsi) fonts."""
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str]) -> bytes:
    """Build a one-page PDF showing the lines, with a correct cross-reference table."""
    shown = "".join(f"({_pdf_text(line)}) Tj 0 -18 Td " for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {shown}ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def offer_letter_lines(name: str, offer: dict, status: str) -> list[str]:
    """Return the text of an offer letter (sent, or signed by the candidate)."""
    fields = {f.get("identifier"): f.get("value") for f in offer.get("fields", [])}
    lines = [
        "Offer of employment",
        f"Offer {offer['id']}",
        f"Dear {name},",
        f"We are pleased to offer you the role of {fields.get('job_title') or 'Team Member'}.",
    ]
    if status == "signed":
        lines.append(f"Signed by {name}.")
    return lines


def resume_lines(name: str, resume_id: str, headline: str) -> list[str]:
    """Return the text of a candidate's resume."""
    return [f"{name}", "Curriculum vitae", f"Experience: {headline}", f"Resume {resume_id}"]


def chunks(lines: list[str], size: int | None = None):
    """Yield a file's bytes: the PDF, padded with PDF comments up to size when one is given."""
    document = pdf(lines)
    yield document
    if size is None or size <= len(document):
        return
    # Deterministic filler: the same size always gives the same bytes.
    filler = (b"%" + hashlib.sha256(document).hexdigest().encode() + b"\n") * (CHUNK // 66 + 1)
    remaining = size - len(document)
    while remaining > 0:
        piece = filler[: min(CHUNK, remaining)]
        remaining -= len(piece)
        yield piece


def content(lines: list[str], size: int | None = None) -> bytes:
    """Return a (small) file's bytes whole."""
    return b"".join(chunks(lines, size))


def file_options(spec: dict | None) -> dict:
    """Keep the simulator-only options of a file spec (size, missing, delay_ms, busy)."""
    return {key: spec[key] for key in FILE_OPTIONS if spec and key in spec}


def build_resume(spec: dict, name: str, headline: str, resume_id: str, at_ms: int) -> dict:
    """Build a stored resume: Lever's fields plus the simulator's file options under _sim."""
    options = file_options(spec)
    file_name = spec.get("name") or f"{name} CV.pdf"
    size = options.get("size") or len(content(resume_lines(name, resume_id, headline)))
    return {
        "id": resume_id,
        "createdAt": at_ms,
        "file": {
            "name": file_name,
            "ext": "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "",
            "uploadedAt": at_ms,
            "status": "processed",
            "size": size,
        },
        "parsedData": {
            "positions": [{"org": headline, "title": "Team Member", "summary": ""}],
            "schools": [],
        },
        "_sim": options,
    }


def new_note(value: str, user: str | None, secret: bool, at_ms: int) -> dict:
    """Build a Lever note object as GET /opportunities/:id/notes returns it."""
    return {
        "id": str(uuid.uuid4()),
        "text": "",
        "fields": [{"type": "note", "text": "", "value": value}],
        "user": user,
        "secret": secret,
        "completedAt": at_ms,
        "createdAt": at_ms,
        "deletedAt": None,
    }
