"""Choosing the files to fetch from Lever's offers and resumes, and reading their names/types."""

import requests

from lever_cezanne.onboarding.documents import (
    OCTET_STREAM,
    _latest_resume,
    _offer_letter,
    content_type_of,
    megabytes,
    safe_name,
)

OPP = "250d8f03-738a-4bba-a671-8a3d73477145"


def _offer(offer_id, status, created, signed=True):
    document = {"fileName": f"{offer_id}.pdf", "uploadedAt": created} if signed else None
    return {"id": offer_id, "status": status, "createdAt": created, "signedDocument": document}


def test_the_latest_signed_offers_signed_document_is_chosen():
    offers = [_offer("old", "signed", 1), _offer("new", "signed", 2), _offer("sent", "sent", 3)]
    wanted = _offer_letter(OPP, offers)
    assert wanted.lever_id == "new" and wanted.name == "new.pdf"
    assert wanted.path == f"/opportunities/{OPP}/offers/new/download"
    assert wanted.params == {"status": "signed"}


def test_no_signed_document_or_an_unsafe_id_fetches_nothing():
    assert _offer_letter(OPP, [_offer("a", "signed", 1, signed=False)]) is None
    assert _offer_letter(OPP, [_offer("..", "signed", 1)]) is None
    assert _offer_letter(OPP, [_offer("a", "sent", 1)]) is None
    assert _offer_letter(OPP, []) is None


def test_the_newest_resume_with_a_safe_id_is_chosen():
    resumes = [
        {"id": "r1", "createdAt": 5, "file": {"name": "old.pdf"}},
        {"id": "r2", "createdAt": 9, "file": {"name": "../../etc/new.pdf"}},
        {"id": "../r3", "createdAt": 99, "file": {"name": "evil.pdf"}},
        "not a resume",
    ]
    wanted = _latest_resume(OPP, resumes)
    assert wanted.lever_id == "r2" and wanted.name == "new.pdf"
    assert wanted.path == f"/opportunities/{OPP}/resumes/r2/download"
    assert _latest_resume(OPP, []) is None


def test_file_names_lose_paths_and_control_characters():
    assert safe_name("C:\\Users\\me\\cv.docx", "resume") == "cv.docx"
    assert safe_name("a\x00b\nc.pdf", "x") == "abc.pdf"
    assert safe_name("..", "resume") == "resume"
    assert safe_name(None, "resume") == "resume"
    assert len(safe_name("a" * 400, "x")) == 255


def test_content_types_are_kept_only_when_well_formed():
    def typed(value):
        response = requests.Response()
        if value is not None:
            response.headers["Content-Type"] = value
        return content_type_of(response)

    assert typed("application/pdf") == "application/pdf"
    assert typed("Application/PDF; charset=binary") == "application/pdf"
    assert typed("text/html\r\nX-Evil: 1") == OCTET_STREAM
    assert typed("nonsense") == OCTET_STREAM
    assert typed(None) == OCTET_STREAM


def test_sizes_read_as_people_read_them():
    assert megabytes(20 * 1024 * 1024) == "20 MB"
    assert megabytes(int(20.4 * 1024 * 1024)) == "20.4 MB"
