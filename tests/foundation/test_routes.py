"""Cross-cutting sweeps over every route in app.url_map."""

import re

import pytest

PUBLIC_ENDPOINTS = {"accounts.login", "static"}
PUBLIC_BLUEPRINTS = {"webhooks", "health"}
ADMIN_BLUEPRINTS = {
    "accounts_admin",
    "org_admin",
    "people_admin",
    "processes_admin",
    "integration_setup",
}


def _sample_url(rule) -> str:
    """Fill every URL variable with a plausible value."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def _sample_url_for(rule, **values) -> str:
    """Fill the named URL variables with the given values, and the rest with 1."""
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", url)


def _routes(app, methods=("GET",)):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        for method in methods:
            if method in rule.methods:
                yield rule, method


def test_every_page_needs_login(app, client):
    checked = 0
    for rule, method in _routes(app, ("GET", "POST")):
        response = client.open(_sample_url(rule), method=method)
        assert response.status_code == 302, f"{method} {rule.rule} answered {response.status_code}"
        assert "/auth/login" in response.headers["Location"], rule.rule
        checked += 1
    assert checked >= 5


def test_admin_pages_refuse_hr_professionals(app, client, hr_user, login_as):
    login_as(hr_user)
    admin_rules = [
        (rule, method)
        for rule, method in _routes(app, ("GET", "POST"))
        if rule.endpoint.split(".")[0] in ADMIN_BLUEPRINTS
    ]
    assert admin_rules
    for rule, method in admin_rules:
        response = client.open(_sample_url(rule), method=method)
        assert response.status_code == 403, f"{method} {rule.rule} answered {response.status_code}"


def test_every_admin_url_is_on_a_blueprint_the_sweep_refuses(app):
    outside = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin/") and rule.endpoint.split(".")[0] not in ADMIN_BLUEPRINTS
    ]
    assert not outside, f"Administrator pages on a blueprint without the guard: {outside}"


TASK_READ_ONLY = {"processes.task_show"}


def test_task_routes_refuse_hr_professionals_who_are_not_the_assignee(
    app, client, make_user, login_as, make_person, make_task
):
    task = make_task(make_person(), make_user("hr", username="hr.owner"))
    login_as(make_user("hr", username="hr.bystander"))
    task_rules = [
        (rule, method)
        for rule, method in _routes(app, ("GET", "POST"))
        if "<int:task_id>" in rule.rule and rule.endpoint not in TASK_READ_ONLY
    ]
    assert len(task_rules) >= 7
    for rule, method in task_rules:
        url = _sample_url_for(rule, task_id=task.id)
        response = client.open(url, method=method)
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
    assert client.get(f"/tasks/{task.id}").status_code == 200


@pytest.mark.parametrize("code,path", [(404, "/no-such-page")])
def test_error_pages_look_like_the_app(client, admin, login_as, code, path):
    login_as(admin)
    response = client.get(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert "Cezanne" in html and "Not found" in html


def test_403_page_looks_like_the_app(client, hr_user, login_as):
    login_as(hr_user)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert b"Not allowed" in response.data and b"Sign out" in response.data


@pytest.mark.own_app
def test_500_page_hides_details(app, client, admin, login_as):
    @app.route("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(admin)
    response = client.get("/_boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internals" not in response.data


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
