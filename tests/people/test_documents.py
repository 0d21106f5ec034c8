"""A person's Documents: listed on their page, downloaded only by the roles named."""

import hashlib
from urllib.parse import quote

import pytest

from lever_cezanne.models import Document
from lever_cezanne.models.documents import DocumentSource
from tests.factories import PASSWORD

BYTES = bytes(range(256)) * 2600  # 665.6 kB: more than one streamed chunk


@pytest.fixture
def hire(db, make_person, make_user, make_task):
    """A hire with a task for their New Hire Administrator and two Documents."""
    person = make_person("Zoë", "Łukasiewicz")
    owner = make_user("hr", username="hr.owner")
    make_task(person, owner)
    letter = Document(
        person=person,
        name="Zoë offer_signed.pdf",
        content_type="application/pdf",
        size=len(BYTES),
        sha256=hashlib.sha256(BYTES).hexdigest(),
        source=DocumentSource.OFFER_LETTER,
        lever_id="offer-1",
        content=BYTES,
    )
    resume = Document(
        person=person,
        name="cv.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=3,
        sha256=hashlib.sha256(b"abc").hexdigest(),
        source=DocumentSource.RESUME,
        lever_id="resume-1",
        content=b"abc",
    )
    db.session.add_all([letter, resume])
    db.session.commit()
    return {"person": person, "owner": owner, "letter": letter, "resume": resume}


def _url(hire, document="letter"):
    return f"/people/{hire['person'].id}/documents/{hire[document].id}"


def test_the_administrator_downloads_the_exact_bytes_as_an_attachment(
    client, admin, login_as, hire
):
    login_as(admin)
    response = client.get(_url(hire))
    assert response.status_code == 200
    assert response.data == BYTES
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(BYTES))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Zo_ offer_signed.pdf"')
    assert f"filename*=UTF-8''{quote('Zoë offer_signed.pdf', safe='')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    other = client.get(_url(hire, "resume"))
    assert other.data == b"abc"
    assert other.headers["Content-Type"] == hire["resume"].content_type


def test_the_hires_new_hire_administrator_may_download(client, login_as, hire):
    login_as(hire["owner"])
    assert client.get(_url(hire)).status_code == 200


@pytest.mark.parametrize("role", ["hr", "administrator", "owner", "anonymous"])
def test_role_sweep(client, make_user, login_as, hire, role):
    expected = {"hr": 403, "administrator": 200, "owner": 200, "anonymous": 302}[role]
    if role == "owner":
        login_as(hire["owner"])
    elif role != "anonymous":
        login_as(make_user(role, username=f"sweep.{role}"))
    for document in ("letter", "resume"):
        response = client.get(_url(hire, document))
        assert response.status_code == expected, (role, document)
        if expected != 200:
            assert BYTES[:64] not in response.data


def test_a_document_of_another_person_is_not_found(client, admin, login_as, hire, make_person):
    login_as(admin)
    stranger = make_person("Sam", "Stranger")
    assert client.get(f"/people/{stranger.id}/documents/{hire['letter'].id}").status_code == 404
    assert client.get(f"/people/{hire['person'].id}/documents/999999").status_code == 404


def test_the_person_page_lists_documents_and_links_them_only_for_the_roles_named(
    app, client, make_user, login_as, hire
):
    login_as(hire["owner"])
    page = client.get(f"/people/{hire['person'].id}").get_data(as_text=True)
    assert "Signed offer letter" in page and "Resume" in page and "665.6 kB" in page
    assert f'href="{_url(hire)}"' in page
    bystander = app.test_client()
    make_user("hr", username="hr.bystander")
    bystander.post("/auth/login", data={"username": "hr.bystander", "password": PASSWORD})
    page = bystander.get(f"/people/{hire['person'].id}").get_data(as_text=True)
    assert "Zoë offer_signed.pdf" in page
    assert f'href="{_url(hire)}"' not in page
    assert "Only Administrators and this hire's New Hire Administrator can download these." in page
