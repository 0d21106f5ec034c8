"""Companies: create, edit, activate or deactivate, soft delete; codes unique in any case."""

from html import unescape

from sqlalchemy import select

from lever_cezanne.models import Company, LeverIntegration


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


def test_empty_list_invites_the_first_company(client, admin, login_as):
    login_as(admin)
    assert "No companies yet" in _text(client.get("/admin/companies"))


def test_create_company(db, client, admin, login_as):
    login_as(admin)

    response = client.post(
        "/admin/companies/new", data={"code": " CEZ-UK ", "name": "Cezanne UK Ltd", "active": "y"}
    )

    assert "Company CEZ-UK — Cezanne UK Ltd created." in _flash(client, response)
    company = db.session.scalar(select(Company))
    assert (company.code, company.active) == ("CEZ-UK", True)


def test_code_is_unique_whatever_its_case(db, client, admin, login_as, make_company):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    other = make_company("CEZ-IE", "Cezanne Ireland")
    login_as(admin)

    created = _text(client.post("/admin/companies/new", data={"code": "cez-uk", "name": "Copy"}))
    renamed = _text(
        client.post(f"/admin/companies/{other.id}/edit", data={"code": "Cez-Uk", "name": "X"})
    )

    assert "Another company already has the code 'cez-uk'" in created
    assert "Another company already has the code 'Cez-Uk'" in renamed
    db.session.refresh(other)
    assert other.code == "CEZ-IE"


def test_code_and_name_are_validated(client, admin, login_as):
    login_as(admin)
    html = _text(client.post("/admin/companies/new", data={"code": "bad code!", "name": " "}))
    assert "Use letters, digits, dots, hyphens and underscores only" in html
    assert "Enter the company name." in html


def test_edit_code_and_name(db, client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)

    response = client.post(
        f"/admin/companies/{company.id}/edit", data={"code": "cez-gb", "name": "Cezanne GB"}
    )

    assert "Saved the changes to cez-gb — Cezanne GB." in _flash(client, response)
    db.session.refresh(company)
    assert (company.code, company.name) == ("cez-gb", "Cezanne GB")


def test_keeping_the_own_code_in_another_case_is_allowed(db, client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)
    response = client.post(
        f"/admin/companies/{company.id}/edit", data={"code": "cez-uk", "name": "Cezanne UK Ltd"}
    )
    assert response.status_code == 302


def test_deactivate_and_activate(db, client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)

    off = _flash(client, client.post(f"/admin/companies/{company.id}/deactivate"))
    assert "is inactive: new hires cannot be employed in it" in off
    assert client.get("/search/companies?q=cez").get_json() == {"results": []}
    on = _flash(client, client.post(f"/admin/companies/{company.id}/activate"))
    assert "is active again" in on
    assert len(client.get("/search/companies?q=cez").get_json()["results"]) == 1


def test_delete_asks_first_and_warns_about_integrations(db, client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    db.session.add(
        LeverIntegration(
            subdomain="CezanneHR",
            signature_token_encrypted="x",
            signature_token_last4="abcd",
            default_company_id=company.id,
        )
    )
    db.session.commit()
    login_as(admin)

    confirm = _text(client.get(f"/admin/companies/{company.id}/delete"))

    assert "Delete CEZ-UK — Cezanne UK Ltd?" in confirm
    assert "New Hire Default Company of the Lever integration CezanneHR" in confirm


def test_soft_delete_hides_the_company_and_frees_its_code(
    db, client, admin, login_as, make_company
):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)

    page = _flash(client, client.post(f"/admin/companies/{company.id}/delete"))

    assert "CEZ-UK — Cezanne UK Ltd is deleted." in page
    assert "No companies yet" in page
    assert db.session.get(Company, company.id).deleted_at is not None  # history stays
    assert client.get("/search/companies?q=cez").get_json() == {"results": []}
    assert client.get(f"/admin/companies/{company.id}/edit").status_code == 404
    recreated = client.post("/admin/companies/new", data={"code": "CEZ-UK", "name": "New UK"})
    assert recreated.status_code == 302


def test_list_search_and_pages(client, admin, login_as, make_company):
    for n in range(55):
        make_company(f"CO{n:02}", f"Company {n:02}")
    make_company("ZED", "Zed Ltd")
    login_as(admin)

    first = _text(client.get("/admin/companies"))
    second = _text(client.get("/admin/companies?page=2"))

    assert "Page 1 of 2" in first and "CO49" in first and "ZED" not in first
    assert "ZED" in second and "CO00" not in second
    assert "ZED" in _text(client.get("/admin/companies?q=zed"))
    assert "No company matches" in _text(client.get("/admin/companies?q=nothing"))


def test_state_changes_need_the_csrf_token(app, db, client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.post(f"/admin/companies/{company.id}/delete").status_code == 400
    assert client.post(f"/admin/companies/{company.id}/deactivate").status_code == 400
    db.session.refresh(company)
    assert company.deleted_at is None and company.active


def test_destructive_buttons_ask_for_confirmation(client, admin, login_as, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    login_as(admin)
    html = _text(client.get("/admin/companies"))
    # Deactivate and Delete open a page that asks first; only that page's form posts.
    assert f'href="/admin/companies/{company.id}/deactivate"' in html
    assert f'href="/admin/companies/{company.id}/delete"' in html
    assert 'action="/admin/companies/{company.id}/deactivate"' not in html
    confirm = _text(client.get(f"/admin/companies/{company.id}/deactivate"))
    assert "Deactivate CEZ-UK — Cezanne UK Ltd?" in confirm
    assert "No Lever integration uses it" in confirm
