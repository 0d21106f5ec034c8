"""The Gender picklist: Administrators list, add and edit it; Not Known keeps its code U."""

from html import unescape

from sqlalchemy import select

from lever_cezanne.models import Gender


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, _text(response, response.status_code)
    return _text(client.get(response.headers["Location"]))


def test_an_administrator_adds_and_edits_genders_that_person_pages_offer(
    db, client, admin, login_as, make_person
):
    grace = make_person("Grace", "Hopper")  # Not Known, as every hire
    login_as(admin)
    listed = _text(client.get("/admin/genders"))
    assert "<td>U</td>" in listed and "<td>Not Known</td>" in listed and "<td>1</td>" in listed

    added = client.post("/admin/genders/new", data={"code": " F ", "description": " Female "})
    assert "Gender F (Female) added." in _flash(client, added)
    female = db.session.scalar(select(Gender).where(Gender.code == "F"))
    assert female.description == "Female"

    taken = client.post("/admin/genders/new", data={"code": "f", "description": "Woman"})
    assert "Another gender already has the code 'f'" in _text(taken)
    edited = client.post(
        f"/admin/genders/{female.id}/edit", data={"code": "F", "description": "Woman"}
    )
    assert "Saved the changes to F (Woman)." in _flash(client, edited)

    # The person page's Gender list offers it.
    form = _text(client.get(f"/admin/people/{grace.id}/edit"))
    assert f'<option value="{female.id}">Woman</option>' in form


def test_not_known_keeps_its_code_and_may_change_its_description(db, client, admin, login_as):
    login_as(admin)
    not_known = db.session.scalar(select(Gender).where(Gender.code == "U"))
    refused = client.post(
        f"/admin/genders/{not_known.id}/edit", data={"code": "N", "description": "Not Known"}
    )
    assert "Not Known keeps the code U: every hire from Lever gets it." in _text(refused)
    db.session.expire_all()
    assert db.session.get(Gender, not_known.id).code == "U"
    renamed = client.post(
        f"/admin/genders/{not_known.id}/edit", data={"code": "U", "description": "Not stated"}
    )
    assert "Saved the changes to U (Not stated)." in _flash(client, renamed)


def test_bad_input_and_hr_professionals_are_refused(client, admin, hr_user, login_as):
    login_as(admin)
    empty = _text(client.post("/admin/genders/new", data={"code": "", "description": ""}))
    assert "Enter a code." in empty and "Enter the description." in empty
    odd = _text(client.post("/admin/genders/new", data={"code": "a b", "description": "x"}))
    assert "Use letters, digits" in odd
    client.post("/auth/logout")
    login_as(hr_user)
    assert client.get("/admin/genders").status_code == 403
    assert (
        client.post("/admin/genders/new", data={"code": "F", "description": "F"}).status_code == 403
    )
