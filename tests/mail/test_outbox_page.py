"""The Outbox page: Administrators see every e-mail; without MAIL_SERVER it is in the navigation."""

from lever_cezanne.mail import mail_user


def test_administrators_read_the_outbox_without_mail_server(
    app, db, client, admin, login_as, make_user
):
    app.config["MAIL_SERVER"] = None
    user = make_user("hr", display_name="Priya Shah", email="priya@example.com")
    mail = mail_user(user, "New Starter task: Zoë Bright", "Open the task", "<p>Open</p>", kind="t")
    db.session.commit()
    login_as(admin)
    home = client.get("/people").get_data(as_text=True)
    assert 'href="/outbox/"' in home
    page = client.get("/outbox/").get_data(as_text=True)
    assert "MAIL_SERVER is not set" in page
    assert "New Starter task: Zoë Bright" in page and "priya@example.com" in page
    assert "Not sent: no MAIL_SERVER" in page
    shown = client.get(f"/outbox/{mail.id}").get_data(as_text=True)
    assert "Open the task" in shown and f'sandbox src="/outbox/{mail.id}/html"' in shown
    html = client.get(f"/outbox/{mail.id}/html")
    assert html.get_data(as_text=True) == "<p>Open</p>"
    policy = html.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_outbox_is_for_administrators_only(app, client, hr_user, login_as):
    app.config["MAIL_SERVER"] = None
    login_as(hr_user)
    assert client.get("/outbox/").status_code == 403
    assert 'href="/outbox/"' not in client.get("/people").get_data(as_text=True)


def test_with_a_mail_server_the_outbox_leaves_the_navigation(app, client, admin, login_as):
    app.config["MAIL_SERVER"] = "smtp.example.com"
    login_as(admin)
    assert 'href="/outbox/"' not in client.get("/people").get_data(as_text=True)
    assert "E-mail is sent through smtp.example.com" in client.get("/outbox/").get_data(
        as_text=True
    )


def test_an_unknown_mail_is_404(client, admin, login_as):
    login_as(admin)
    assert client.get("/outbox/999").status_code == 404
