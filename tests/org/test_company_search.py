"""The company picker's search endpoint: active companies only, by code or name, at most 20."""

from lever_cezanne.models.base import utcnow
from lever_cezanne.org.search import find_employable_company


def _search(client, q):
    response = client.get("/search/companies", query_string={"q": q})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["results"]


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/search/companies?q=a")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_hr_professional_finds_company_by_code_or_name(client, hr_user, login_as, make_company):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    make_company("ACME", "Widget Ireland Ltd")
    make_company("OTHER", "Other Things")
    login_as(hr_user)

    by_code = _search(client, "cez")
    by_name = _search(client, "WIDGET i")

    assert by_code == [{"value": "CEZ-UK", "label": "CEZ-UK — Cezanne UK Ltd"}]
    assert [r["value"] for r in by_name] == ["ACME"]
    assert [r["value"] for r in _search(client, "a")] == ["ACME"]


def test_inactive_and_deleted_companies_are_left_out(db, client, hr_user, login_as, make_company):
    make_company("LIVE", "Live Co")
    make_company("LATE", "Late Co", active=False)
    deleted = make_company("LOST", "Lost Co")
    deleted.deleted_at = utcnow()
    db.session.commit()
    login_as(hr_user)

    assert [r["value"] for r in _search(client, "l")] == ["LIVE"]


def test_at_most_twenty_results(client, hr_user, login_as, make_company):
    for n in range(25):
        make_company(f"CO{n:02}", f"Company {n}")
    login_as(hr_user)

    assert len(_search(client, "co")) == 20


def test_blank_query_and_wildcards_match_nothing(client, hr_user, login_as, make_company):
    make_company("A_B", "Percent 100% Ltd")
    make_company("AXB", "Plain Ltd")
    login_as(hr_user)

    assert _search(client, "  ") == []
    assert _search(client, "%") == []
    assert [r["value"] for r in _search(client, "a_")] == ["A_B"]


def test_typed_code_label_or_unique_name_resolves(app, db, make_company):
    uk = make_company("CEZ-UK", "Cezanne UK Ltd")
    make_company("TWIN1", "Twin Ltd")
    make_company("TWIN2", "Twin Ltd")
    make_company("OLD", "Old Ltd", active=False)

    assert find_employable_company("cez-uk").id == uk.id
    assert find_employable_company("CEZ-UK — Cezanne UK Ltd").id == uk.id
    assert find_employable_company("cezanne uk ltd").id == uk.id
    assert find_employable_company("Twin Ltd") is None  # ambiguous: two companies share the name
    assert find_employable_company("OLD") is None
    assert find_employable_company("") is None


def test_any_word_start_matches_ignoring_accents(client, hr_user, login_as, make_company):
    make_company("WID", "Widget Ireland Ltd")
    make_company("IE-01", "Société Générale Éire")
    make_company("XYZ", "Unrelated Holdings")
    login_as(hr_user)

    assert [r["value"] for r in _search(client, "Ireland")] == ["WID"]
    assert [r["value"] for r in _search(client, "IE")] == ["IE-01"]
    assert [r["value"] for r in _search(client, "ltd")] == ["WID"]
    assert [r["value"] for r in _search(client, "societe gen")] == ["IE-01"]
    assert [r["value"] for r in _search(client, "EIRE")] == ["IE-01"]
    assert [r["value"] for r in _search(client, "01")] == ["IE-01"]
    assert _search(client, "reland") == []  # the middle of a word is not a word start


def test_renamed_company_is_found_by_its_new_words_only(
    db, client, hr_user, login_as, make_company
):
    company = make_company("OLD", "Old Name Ltd")
    company.name = "Fresh Start Ltd"
    company.code = "NEW"
    db.session.commit()
    login_as(hr_user)

    assert _search(client, "old") == []
    assert _search(client, "name") == []
    assert [r["value"] for r in _search(client, "fresh")] == ["NEW"]
    assert [r["value"] for r in _search(client, "new")] == ["NEW"]
