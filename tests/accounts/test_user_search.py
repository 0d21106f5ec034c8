"""The user picker's search endpoint: active HR Professionals by name, username or e-mail."""

from lever_cezanne.accounts.search import find_hr_professional
from lever_cezanne.models.base import utcnow


def _search(client, q):
    response = client.get("/admin/search/users", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["results"]


def test_hr_professionals_may_not_search_users(client, hr_user, login_as):
    login_as(hr_user)
    assert client.get("/admin/search/users?q=a").status_code == 403


def test_matches_display_name_username_or_email(client, admin, login_as, make_user):
    make_user("hr", username="pshah", display_name="Priya Shah", email="priya@example.com")
    make_user("hr", username="tbecker", display_name="Tom Becker", email="tom@corp.example")
    login_as(admin)

    assert _search(client, "priya s") == [
        {"value": "pshah", "label": "Priya Shah (pshah) — priya@example.com"}
    ]
    assert [r["value"] for r in _search(client, "TBECK")] == ["tbecker"]
    assert [r["value"] for r in _search(client, "tom@corp")] == ["tbecker"]


def test_administrators_are_included_but_inactive_and_deleted_are_not(
    db, client, admin, login_as, make_user
):
    make_user("hr", username="sam.live", display_name="Sam Live")
    make_user("hr", username="sam.off", display_name="Sam Off", active=False)
    make_user("hr", username="sam.gone", display_name="Sam Gone", deleted_at=utcnow())
    make_user("administrator", username="sam.admin", display_name="Sam Admin")
    login_as(admin)

    assert sorted(r["value"] for r in _search(client, "sam")) == ["sam.admin", "sam.live"]


def test_at_most_twenty_results_and_blank_query_is_empty(client, admin, login_as, make_user):
    for n in range(22):
        make_user("hr", username=f"hr{n:02}", display_name=f"Helper {n:02}")
    login_as(admin)

    assert len(_search(client, "h")) == 20
    assert _search(client, "") == []


def test_typed_username_email_or_unique_name_resolves(app, make_user):
    priya = make_user("hr", username="pshah", display_name="Priya Shah", email="p@example.com")
    make_user("hr", username="twin1", display_name="Twin")
    make_user("hr", username="twin2", display_name="Twin")
    make_user("hr", username="offline", active=False)

    assert find_hr_professional("PSHAH").id == priya.id
    assert find_hr_professional("p@example.com").id == priya.id
    assert find_hr_professional("priya shah").id == priya.id
    assert find_hr_professional("Twin") is None
    assert find_hr_professional("offline") is None


def test_any_word_start_matches_ignoring_accents(db, client, admin, login_as, make_user):
    make_user("hr", username="elodie.obs", display_name="Élodie O'Brien-Smith")
    make_user("hr", username="zoe", display_name="Zoë Ng", email="zoe@firm.example")
    login_as(admin)

    for q in ("elodie", "ÉLO", "smi", "brien", "o'b", "obs"):
        assert [r["value"] for r in _search(client, q)] == ["elodie.obs"], q
    assert [r["value"] for r in _search(client, "zoe ng")] == ["zoe"]
    assert [r["value"] for r in _search(client, "firm")] == ["zoe"]
    assert _search(client, "lodie") == []

    renamed = db.session.get(type(admin), admin.id)
    renamed.display_name = "Quentin Blake"
    db.session.commit()
    assert [r["value"] for r in _search(client, "quent")] == [admin.username]
