"""A NUL character in a query string or form is refused with a message, never a 500."""


def test_a_null_byte_is_refused_with_a_plain_message(client, admin, login_as):
    login_as(admin)
    response = client.get("/people", query_string={"q": "Ann\x00"})
    assert response.status_code == 400
    assert "null byte" in response.get_data(as_text=True)


def test_a_null_byte_in_a_form_is_refused_before_it_reaches_the_database(client, admin, login_as):
    login_as(admin)
    response = client.post("/admin/companies/new", data={"code": "NUL\x00", "name": "Nul Ltd"})
    assert response.status_code == 400
    assert "null byte" in response.get_data(as_text=True)
