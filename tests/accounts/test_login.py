"""Login, logout, throttling, redirects and roles."""

import pytest

from lever_cezanne.accounts.redirects import is_safe_next


def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_admin_logs_in_and_sees_navigation(client, admin, login_as):
    login_as(admin)
    html = client.get("/people").get_data(as_text=True)
    for label in ("People", "My Tasks", "Integrations", "Users", "Companies", "Processes"):
        assert f">{label}</a>" in html


def test_hr_professional_sees_no_admin_navigation(client, hr_user, login_as):
    login_as(hr_user)
    html = client.get("/people").get_data(as_text=True)
    assert ">People</a>" in html
    assert ">Users</a>" not in html


def test_wrong_password_is_refused(client, admin):
    response = client.post("/auth/login", data={"username": "admin", "password": "nope-nope"})
    assert response.status_code == 200
    assert b"username or password is not right" in response.data


def test_username_is_case_insensitive(client, admin):
    response = client.post(
        "/auth/login", data={"username": "ADMIN", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    make_user("hr", username="gone", active=False)
    response = client.post(
        "/auth/login", data={"username": "gone", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert b"not right" in response.data


def test_deactivation_ends_an_existing_session(client, db, admin, login_as):
    login_as(admin)
    admin.session_version += 1
    db.session.commit()
    response = client.get("/people")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_passwords_are_argon2id(admin):
    assert admin.password_hash.startswith("$argon2id$")


def test_logout_needs_post_and_ends_session(client, admin, login_as):
    login_as(admin)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/people").status_code == 302


def test_eleventh_failure_is_throttled_with_retry_time(client, admin):
    for _ in range(10):
        client.post("/auth/login", data={"username": "admin", "password": "wrong-password"})
    response = client.post(
        "/auth/login", data={"username": "admin", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Try again in 15 minutes" in response.data


def test_throttle_is_per_ip_too(client, admin, make_user):
    for n in range(30):  # LOGIN_CLIENT_FAILURE_LIMIT: failures across accounts from one address
        client.post("/auth/login", data={"username": f"nobody{n}", "password": "wrong-password"})
    response = client.post(
        "/auth/login", data={"username": "admin", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts from your network. Try again in 15" in response.data


def test_other_ip_is_not_throttled_by_one_attacker(client, admin, make_user):
    other = make_user("hr", username="other")
    for _ in range(10):
        client.post(
            "/auth/login",
            data={"username": "admin", "password": "bad"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
    response = client.post(
        "/auth/login", data={"username": other.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "http:/evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "",
        None,
        "evil.example",
    ],
)
def test_unsafe_next_is_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/people", "/admin/users?page=2", "/tasks/mine#open"])
def test_safe_next_is_allowed(target):
    assert is_safe_next(target)


def test_login_redirects_to_safe_next_only(client, admin):
    data = {"username": "admin", "password": "correct-horse-battery"}
    response = client.post("/auth/login?next=//evil.example", data=data)
    assert response.headers["Location"] == "/"  # the home page: theirs, by role
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/admin/users", data=data)
    assert response.headers["Location"] == "/admin/users"


def test_signing_in_lands_on_the_home_of_the_role(client, admin, hr_user):
    signed_in = client.post(
        "/auth/login",
        data={"username": "admin", "password": "correct-horse-battery"},
        follow_redirects=True,
    )
    assert signed_in.request.path == "/integrations/lever/health"
    assert client.get("/auth/login").headers["Location"] == "/"  # already signed in: home
    client.post("/auth/logout")
    signed_in = client.post(
        "/auth/login",
        data={"username": hr_user.username, "password": "correct-horse-battery"},
        follow_redirects=True,
    )
    assert signed_in.request.path == "/"
    assert "Your open New Starter tasks" in signed_in.get_data(as_text=True)


def test_csrf_is_required_on_login_when_enabled(app, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"username": "admin", "password": "correct-horse-battery"}
    )
    assert response.status_code == 400
    assert b"Reload the page" in response.data


def test_session_cookie_flags(app, admin):
    client = app.test_client()
    client.post("/auth/login", data={"username": "admin", "password": "correct-horse-battery"})
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_a_cookie_captured_before_logout_stops_working(app, client, admin, login_as):
    login_as(admin)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    captured = client.get_cookie(cookie_name).value
    assert client.post("/auth/logout").status_code == 302
    # Before: the signed cookie still named a valid session; logout only cleared this copy.
    thief = app.test_client()
    thief.set_cookie(cookie_name, captured)
    response = thief.get("/people")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
