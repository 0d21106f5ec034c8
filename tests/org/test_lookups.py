"""Departments and Locations: list, add, edit, deactivate; code and name unique in any case."""

from html import unescape

import pytest
from sqlalchemy import select

from lever_cezanne.models import Department, Location


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, _text(response)
    return _text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    "path,model,word",
    [("departments", Department, "department"), ("locations", Location, "location")],
)
def test_add_edit_deactivate_and_activate(db, client, admin, login_as, path, model, word):
    login_as(admin)
    assert f"No {path} yet" in _text(client.get(f"/admin/{path}"))
    response = client.post(
        f"/admin/{path}/new", data={"code": " ENG ", "name": " Zürich  Office ", "active": "y"}
    )
    assert "ENG — Zürich Office created." in _flash(client, response)
    row = db.session.scalar(select(model))
    assert (row.code, row.name, row.active) == ("ENG", "Zürich Office", True)

    response = client.post(f"/admin/{path}/{row.id}/edit", data={"code": "ENG2", "name": "Z"})
    assert "Saved the changes to ENG2 — Z." in _flash(client, response)

    response = client.post(f"/admin/{path}/{row.id}/deactivate")
    assert "is inactive: Lever offers no longer fill it in" in _flash(client, response)
    db.session.expire_all()
    assert row.active is False
    assert "Inactive" in _text(client.get(f"/admin/{path}?q=eng"))
    client.post(f"/admin/{path}/{row.id}/activate")
    db.session.expire_all()
    assert row.active is True


@pytest.mark.parametrize("path,model", [("departments", Department), ("locations", Location)])
def test_code_and_name_are_unique_whatever_their_case(db, client, admin, login_as, path, model):
    db.session.add(model(code="ENG", name="Engineering"))
    db.session.commit()
    login_as(admin)
    response = client.post(f"/admin/{path}/new", data={"code": "eng", "name": "Other"})
    assert response.status_code == 200
    word = model.__tablename__[:-1]
    assert f"Another {word} already has the code 'eng'" in _text(response)
    response = client.post(f"/admin/{path}/new", data={"code": "X", "name": "ENGINEERING"})
    assert f"Another {model.__tablename__[:-1]} already has the name 'ENGINEERING'" in _text(
        response
    )
    assert len(db.session.scalars(select(model)).all()) == 1


def test_an_empty_or_bad_form_says_what_to_do(client, admin, login_as):
    login_as(admin)
    response = client.post("/admin/departments/new", data={"code": "", "name": ""})
    text = _text(response)
    assert response.status_code == 200
    assert "Enter a code." in text and "Enter the name." in text
    response = client.post("/admin/departments/new", data={"code": "a b", "name": "x"})
    assert "Use letters, digits" in _text(response)


def test_unknown_rows_are_404(client, admin, login_as):
    login_as(admin)
    assert client.get("/admin/locations/999/edit").status_code == 404
    assert client.post("/admin/locations/999/deactivate").status_code == 404


def test_navigation_links_to_both(client, admin, login_as):
    login_as(admin)
    text = _text(client.get("/admin/departments"))
    assert 'href="/admin/departments"' in text and 'href="/admin/locations"' in text


@pytest.mark.parametrize("group,model", [("departments", Department), ("locations", Location)])
def test_cli_create_like_companies(app, db, group, model):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[group, "create", "--code", "LON", "--name", "London"])
    assert result.exit_code == 0, result.output
    assert "Created" in result.output and "LON (London)" in result.output
    dup = runner.invoke(args=[group, "create", "--code", "lon", "--name", "Other"])
    assert dup.exit_code != 0 and "already has the code 'lon'" in dup.output
    dup = runner.invoke(args=[group, "create", "--code", "X", "--name", "LONDON"])
    assert dup.exit_code != 0 and "already has the name 'LONDON'" in dup.output
    off = runner.invoke(args=[group, "create", "--code", "OLD", "--name", "Old", "--inactive"])
    assert off.exit_code == 0, off.output
    rows = {r.code: r.active for r in db.session.scalars(select(model))}
    assert rows == {"LON": True, "OLD": False}
