"""Files and notes: offer letter and resume downloads, notes, and the scope each needs."""

import hashlib

import pytest

from lever_cezanne.sandbox.seed import opportunity_id

MARY = opportunity_id("Mary Anne Elizabeth Smith")
BOBBY = opportunity_id('Robert "Bobby" Tables')
SOREN = opportunity_id("Søren Ærø")
ALL = (
    "offline_access opportunities:read:admin offers:read:admin resumes:read:admin "
    "notes:write:admin users:read:admin"
)
MB = 1024 * 1024


@pytest.fixture
def headers(token_pair):
    return {"Authorization": f"Bearer {token_pair(scope=ALL)['access_token']}"}


def _offer(client, headers, opportunity):
    [offer] = client.get(f"/v1/opportunities/{opportunity}/offers", headers=headers).json["data"]
    return offer


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_signed_offer_lists_both_documents_with_download_urls(sandbox_client, headers):
    offer = _offer(sandbox_client, headers, MARY)
    assert "_sim" not in offer
    assert offer["signedDocument"]["fileName"] == "employment-offer-letter_signed.pdf"
    assert isinstance(offer["signedDocument"]["uploadedAt"], int)
    signed_url = offer["signedDocument"]["downloadUrl"]
    assert signed_url.endswith(
        f"/v1/opportunities/{MARY}/offers/{offer['id']}/download?status=signed"
    )
    assert offer["sentDocument"]["downloadUrl"].endswith("download?status=sent")


def test_signed_and_sent_documents_download_as_different_pdfs(sandbox_client, headers):
    offer = _offer(sandbox_client, headers, MARY)
    signed = sandbox_client.get(_path(offer["signedDocument"]["downloadUrl"]), headers=headers)
    sent = sandbox_client.get(_path(offer["sentDocument"]["downloadUrl"]), headers=headers)
    assert signed.status_code == sent.status_code == 200
    assert signed.mimetype == "application/pdf"
    assert signed.data.startswith(b"%PDF-1.4") and signed.data.endswith(b"%%EOF\n")
    assert int(signed.headers["Content-Length"]) == len(signed.data)
    assert "attachment" in signed.headers["Content-Disposition"]
    assert b"Signed by Mary Anne Elizabeth Smith" in signed.data
    assert b"Signed by" not in sent.data
    again = sandbox_client.get(_path(offer["signedDocument"]["downloadUrl"]), headers=headers)
    assert again.data == signed.data  # the same bytes every time


def test_unsigned_offer_has_no_signed_document(sandbox_client, headers):
    offer = _offer(sandbox_client, headers, BOBBY)
    assert offer["status"] == "sent" and offer["signedDocument"] is None
    base = f"/v1/opportunities/{BOBBY}/offers/{offer['id']}/download"
    assert sandbox_client.get(f"{base}?status=signed", headers=headers).status_code == 404
    assert sandbox_client.get(f"{base}?status=sent", headers=headers).status_code == 200
    bad = sandbox_client.get(f"{base}?status=draft", headers=headers)
    assert bad.status_code == 400 and bad.json["code"] == "BadRequestError"
    missing = sandbox_client.get(
        f"/v1/opportunities/{BOBBY}/offers/00000000-0000-0000-0000-000000000000/download",
        headers=headers,
    )
    assert missing.status_code == 404 and missing.json["code"] == "ResourceNotFound"


def test_resumes_list_show_and_download(sandbox_client, headers):
    listed = sandbox_client.get(f"/v1/opportunities/{MARY}/resumes", headers=headers).json
    assert listed["hasNext"] is False
    [resume] = listed["data"]
    assert set(resume) == {"id", "createdAt", "file", "parsedData"}
    assert set(resume["file"]) == {"name", "ext", "downloadUrl", "uploadedAt", "status", "size"}
    assert resume["file"]["ext"] == ".pdf"
    shown = sandbox_client.get(
        f"/v1/opportunities/{MARY}/resumes/{resume['id']}", headers=headers
    ).json["data"]
    assert shown == resume
    body = sandbox_client.get(_path(resume["file"]["downloadUrl"]), headers=headers)
    assert body.status_code == 200 and body.mimetype == "application/pdf"
    assert len(body.data) == resume["file"]["size"]
    assert b"Mary Anne Elizabeth Smith" in body.data


def test_a_candidate_without_a_resume_lists_none(store, sandbox_client, headers):
    found = store.add_candidate({"name": "No CV", "resume": None})
    listed = sandbox_client.get(f"/v1/opportunities/{found}/resumes", headers=headers).json
    assert listed["data"] == []


def test_file_options_large_missing_and_slow(store, sandbox_client, headers):
    found = store.add_candidate(
        {
            "name": "Big File",
            "resume": {"name": "big.pdf", "size": 3 * MB},
            "offer": {"status": "signed", "document": {"missing": True}},
        }
    )
    [resume] = sandbox_client.get(f"/v1/opportunities/{found}/resumes", headers=headers).json[
        "data"
    ]
    assert resume["file"]["size"] == 3 * MB
    body = sandbox_client.get(_path(resume["file"]["downloadUrl"]), headers=headers)
    assert len(body.data) == 3 * MB and body.data.startswith(b"%PDF")
    repeat = sandbox_client.get(_path(resume["file"]["downloadUrl"]), headers=headers)
    assert hashlib.sha256(repeat.data).digest() == hashlib.sha256(body.data).digest()
    offer = _offer(sandbox_client, headers, found)
    gone = sandbox_client.get(_path(offer["signedDocument"]["downloadUrl"]), headers=headers)
    assert gone.status_code == 404 and gone.json["code"] == "ResourceNotFound"


def test_a_busy_file_answers_its_faults_in_order_then_the_file(store, sandbox_client, headers):
    found = store.add_candidate(
        {
            "name": "Busy File",
            "resume": {"name": "busy.pdf", "busy": [429, 500]},
            "offer": {"status": "signed", "document": {"busy": [500]}},
        }
    )
    [resume] = sandbox_client.get(f"/v1/opportunities/{found}/resumes", headers=headers).json[
        "data"
    ]
    url = _path(resume["file"]["downloadUrl"])
    first, second, third = (sandbox_client.get(url, headers=headers) for _ in range(3))
    assert (first.status_code, first.json["code"]) == (429, "TooManyRequests")
    assert (second.status_code, second.json["code"]) == (500, "InternalServerError")
    assert third.status_code == 200 and third.data.startswith(b"%PDF")
    assert sandbox_client.get(url, headers=headers).data == third.data  # served from now on
    letter = _path(_offer(sandbox_client, headers, found)["signedDocument"]["downloadUrl"])
    assert sandbox_client.get(letter, headers=headers).status_code == 500
    assert sandbox_client.get(letter, headers=headers).data.startswith(b"%PDF")


def test_notes_post_then_list_and_show_on_the_candidate_page(store, sandbox_client, headers):
    created = sandbox_client.post(
        f"/v1/opportunities/{SOREN}/notes",
        json={"value": "Added to Cezanne HR as Person Code X on 1 May 2026."},
        headers=headers,
    )
    assert created.status_code == 201
    note_id = created.json["data"]["noteId"]
    listed = sandbox_client.get(f"/v1/opportunities/{SOREN}/notes", headers=headers).json["data"]
    assert [note["id"] for note in listed] == [note_id]
    assert listed[0]["fields"][0] == {
        "type": "note",
        "text": "",
        "value": "Added to Cezanne HR as Person Code X on 1 May 2026.",
    }
    assert store.counters["notes_created"] == 1
    page = sandbox_client.get("/").get_data(as_text=True)
    assert "Added to Cezanne HR as Person Code X on 1 May 2026." in page


def test_bad_notes_are_refused(sandbox_client, headers):
    url = f"/v1/opportunities/{SOREN}/notes"
    assert sandbox_client.post(url, json={"value": " "}, headers=headers).status_code == 400
    assert sandbox_client.post(url, json={}, headers=headers).status_code == 400
    unknown = sandbox_client.post(
        f"{url}?perform_as=00000000-0000-0000-0000-000000000000",
        json={"value": "hi"},
        headers=headers,
    )
    assert unknown.status_code == 400
    missing = sandbox_client.post(
        "/v1/opportunities/00000000-0000-0000-0000-000000000000/notes",
        json={"value": "hi"},
        headers=headers,
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("get", "/offers/{offer}/download?status=signed", "offers:read:admin"),
        ("get", "/resumes", "resumes:read:admin"),
        ("get", "/resumes/{resume}/download", "resumes:read:admin"),
        ("get", "/notes", "notes:read:admin"),
        ("post", "/notes", "notes:write:admin"),
    ],
)
def test_each_needs_its_scope(sandbox_client, token_pair, headers, method, path, scope):
    offer = _offer(sandbox_client, headers, MARY)
    [resume] = sandbox_client.get(f"/v1/opportunities/{MARY}/resumes", headers=headers).json["data"]
    url = f"/v1/opportunities/{MARY}" + path.format(offer=offer["id"], resume=resume["id"])
    token = token_pair(scope="opportunities:read:admin")["access_token"]
    kwargs = {"json": {"value": "x"}} if method == "post" else {}
    refused = getattr(sandbox_client, method)(
        url, headers={"Authorization": f"Bearer {token}"}, **kwargs
    )
    assert refused.status_code == 403
    assert refused.json == {
        "code": "ForbiddenError",
        "message": f"This token lacks the {scope} scope.",
    }
    allowed = getattr(sandbox_client, method)(url, headers=headers, **kwargs)
    assert allowed.status_code in (200, 201)
    anonymous = getattr(sandbox_client, method)(url, **kwargs)
    assert anonymous.status_code == 401
