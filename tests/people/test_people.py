"""People: the searchable list, keyset pages, the person page and Administrators' edits."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return unescape(response.get_data(as_text=True))


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', html)


def test_empty_list_explains_where_people_come_from(client, hr_user, login_as):
    login_as(hr_user)
    assert "When a candidate is marked Hired in Lever" in _text(client.get("/people"))


def test_search_by_name_surname_person_code_or_email(client, hr_user, login_as, make_person):
    make_person("Grace", "Hopper", code="LEV-100", email="grace@navy.example")
    make_person("Alan", "Turing", code="LEV-200", email="alan@bletchley.example")
    make_person("Ada", "Lovelace", code="ZZ-300", email="countess@example.com")
    login_as(hr_user)

    def search(q):
        return _names(_text(client.get("/people", query_string={"q": q})))

    assert search("grace h") == ["Grace Hopper"]
    assert search("TURING") == ["Alan Turing"]
    assert search("lev-") == ["Alan Turing", "Grace Hopper"]  # newest first
    assert search("countess@") == ["Ada Lovelace"]
    assert search("%") == []
    assert "Nobody matches" in _text(client.get("/people?q=nobody"))


def test_search_finds_a_word_of_the_name_ignoring_case_and_accents(
    client, hr_user, login_as, make_person
):
    make_person("Søren", "Ærø")
    make_person("Zoë", "Łukasiewicz-Çelik")
    make_person("Aeron", "Smith")
    login_as(hr_user)

    def search(q):
        return _names(_text(client.get("/people", query_string={"q": q})))

    # A name that starts with the search is found from the indexes, as before.
    assert search("aero") == ["Aeron Smith"]
    assert search("Søren") == ["Søren Ærø"]
    # Nobody's name starts with these: a word of the name does, ignoring case and accents.
    for typed in ("Ærø", "ærø", "ÆRØ", "soren aer"):
        assert "Søren Ærø" in search(typed), typed
    for typed in ("Łukasiewicz", "lukasiewicz", "çelik", "celik"):
        assert search(typed) == ["Zoë Łukasiewicz-Çelik"], typed
    assert search("zoe celik") == ["Zoë Łukasiewicz-Çelik"]
    assert search("celik soren") == []
    assert "Nobody matches" in _text(client.get("/people?q=ukasie"))  # starts of words only


def test_keyset_pages_walk_forwards_and_back(client, hr_user, login_as, make_person):
    for n in range(120):
        make_person("Person", f"{n:03}")
    login_as(hr_user)

    first = _text(client.get("/people"))
    assert len(_names(first)) == 50 and _names(first)[0] == "Person 119"
    older = re.search(r'href="(/people\?after=\d+)"', first).group(1)
    second = _text(client.get(older))
    assert _names(second)[0] == "Person 069" and _names(second)[-1] == "Person 020"
    third = _text(client.get(re.search(r'href="(/people\?after=\d+)"', second).group(1)))
    assert len(_names(third)) == 20 and "Next page" not in third
    back = re.search(r'href="(/people\?before=\d+)"', third).group(1)
    assert _names(_text(client.get(back))) == _names(second)


def test_pages_keep_the_search(client, hr_user, login_as, make_person):
    for n in range(55):
        make_person("Sam", f"Smith{n:02}")
    make_person("Other", "Person")
    login_as(hr_user)

    first = _text(client.get("/people?q=sam"))
    link = re.search(
        r'href="(/people\?after=\d+&amp;q=sam|/people\?q=sam&amp;after=\d+)"',
        client.get("/people?q=sam").get_data(as_text=True),
    )
    assert link, first
    second = _text(client.get(unescape(link.group(1))))
    assert _names(second) == [f"Sam Smith{n:02}" for n in range(4, -1, -1)]


def test_a_tampered_cursor_shows_the_first_page(client, hr_user, login_as, make_person):
    make_person("Grace", "Hopper")
    login_as(hr_user)
    assert _names(_text(client.get("/people?after=abc"))) == ["Grace Hopper"]
    assert "nobody more to show" in _text(client.get("/people?after=1"))


def test_person_page_shows_every_documented_field(
    client, hr_user, login_as, make_person, make_company, make_employment, make_task
):
    person = make_person(
        "Grace",
        "Hopper",
        code="LEV-100",
        email="grace@navy.example",
        middle_name="Brewster",
        home_number="+44 20 7946 0001",
        work_number="+44 20 7946 0002",
        mobile_number="+44 7700 900003",
        other_number="0800 000 004",
        skype_name="grace.hopper",
        lever_opportunity_id="opp-123",
        lever_contact_id="contact-9",
        lever_opportunity_url="https://hire.lever.co/candidates/contact-9",
    )
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    make_employment(person, company, hire_date=date(2026, 3, 2))
    task = make_task(person, hr_user)
    login_as(hr_user)

    html = _text(client.get(f"/people/{person.id}"))

    for label in (
        "First Name",
        "Middle Name",
        "Surname",
        "Known As",
        "Full Name",
        "Legal Name",
        "Person Code",
        "Gender",
        "Date of Birth",
        "Home Number",
        "Work Number",
        "Mobile Number",
        "Other Number",
        "Skype Name",
        "External E-mail",
    ):
        assert f"<dt>{label}</dt>" in html, label
    for value in (
        "Brewster",
        "LEV-100",
        "Not Known",
        "17 May 1990",
        "+44 20 7946 0001",
        "+44 7700 900003",
        "0800 000 004",
        "grace.hopper",
        "grace@navy.example",
    ):
        assert value in html, value
    assert "CEZ-UK — Cezanne UK Ltd" in html and "02 Mar 2026" in html
    assert "Open Ended" in html
    assert f'href="/tasks/{task.id}"' in html
    assert 'href="https://hire.lever.co/candidates/contact-9"' in html
    # The assignee edits from the task; the page links there.
    assert f'href="/tasks/{task.id}/person">Edit personal details' in html


def test_person_page_never_links_a_non_web_lever_url(client, hr_user, login_as, make_person):
    person = make_person(lever_opportunity_id="x", lever_opportunity_url="javascript:alert(1)")
    login_as(hr_user)
    html = _text(client.get(f"/people/{person.id}"))
    assert "javascript:" not in html
    assert "then linked to a Lever candidate by the integration" in html


def test_person_page_says_whether_lever_created_the_record_or_linked_it(
    client, hr_user, login_as, make_person
):
    created = make_person(code="contact-7", lever_contact_id="contact-7")
    merged = make_person(code="DEMO-0002", lever_contact_id="contact-8", lever_opportunity_id="o")
    login_as(hr_user)
    html = _text(client.get(f"/people/{created.id}"))
    assert "Created by the Lever integration when the candidate was marked Hired" in html
    html = _text(client.get(f"/people/{merged.id}"))
    assert "Created by the Lever integration" not in html
    assert "then linked to a Lever candidate by the integration" in html


def test_person_without_employment_points_to_the_open_task(
    client, hr_user, login_as, make_person, make_task
):
    person = make_person()
    task = make_task(person, hr_user)
    login_as(hr_user)
    html = _text(client.get(f"/people/{person.id}"))
    assert "No Employment Details yet" in html and f"/tasks/{task.id}" in html
    assert "Entered in Cezanne HR" in html


def test_missing_person_is_404(client, hr_user, login_as):
    login_as(hr_user)
    assert client.get("/people/999").status_code == 404


def _person_form(**changes) -> dict:
    data = {
        "first_name": "Grace",
        "middle_name": "",
        "surname": "Hopper",
        "known_as": "Amazing Grace",
        "full_name": "Grace Hopper",
        "legal_name": "Grace Brewster Hopper",
        "gender_id": "1",
        "date_of_birth": "1906-12-09",
        "home_number": "",
        "work_number": "+1 (555) 010-0000 ext 12",
        "mobile_number": "",
        "other_number": "",
        "skype_name": "",
        "external_email": "grace@navy.example",
        "version": "1",
    }
    data.update(changes)
    return data


def test_administrator_edits_personal_details(db, client, admin, login_as, make_person):
    person = make_person(mobile_number="07700 900000")
    login_as(admin)
    form = client.get(f"/admin/people/{person.id}/edit").get_data(as_text=True)
    assert 'value="Hopper"' in form and "1990-05-17" in form

    response = client.post(
        f"/admin/people/{person.id}/edit", data=_person_form(middle_name="  Brewster  ")
    )

    assert response.status_code == 302
    db.session.refresh(person)
    assert person.middle_name == "Brewster"
    assert person.known_as == "Amazing Grace"
    assert person.date_of_birth == date(1906, 12, 9)
    assert person.mobile_number is None  # cleared
    assert "Saved the personal details" in _text(client.get(response.headers["Location"]))


def test_edit_shows_a_message_under_each_wrong_field(db, client, admin, login_as, make_person):
    person = make_person()
    login_as(admin)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()

    html = _text(
        client.post(
            f"/admin/people/{person.id}/edit",
            data=_person_form(
                first_name="  ",
                date_of_birth=tomorrow,
                external_email="not-an-email",
                mobile_number="call me",
                gender_id="999",
            ),
        ),
        422,
    )

    assert "Enter the first name." in html
    assert "The date of birth cannot be in the future." in html
    assert "Enter an e-mail address like name@example.com." in html
    assert "Use digits, spaces, brackets and hyphens" in html
    assert "Choose a gender from the list." in html
    db.session.refresh(person)
    assert person.first_name == "Grace"


def test_mistyped_date_of_birth_says_how_to_type_one(client, admin, login_as, make_person):
    person = make_person()
    login_as(admin)
    html = _text(
        client.post(
            f"/admin/people/{person.id}/edit", data=_person_form(date_of_birth="17/05/1990")
        ),
        422,
    )
    assert "Enter a date, e.g. 2024-09-02." in html


def test_hr_professionals_cannot_edit_people(client, hr_user, login_as, make_person):
    person = make_person()
    login_as(hr_user)
    assert client.post(f"/admin/people/{person.id}/edit", data=_person_form()).status_code == 403
