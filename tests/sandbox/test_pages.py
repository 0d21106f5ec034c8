"""The HTML side: pages, forms with CSRF, basic accessibility, and mounting under a prefix."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lever_cezanne.sandbox import create_app
from lever_cezanne.sandbox.seed import (
    CANDIDATES,
    HIRED_REASON_ID,
    HIRING_MANAGER_ID,
    opportunity_id,
    stable_id,
)

from .helpers import authorize_params, form_field, make_config, refresh

MARY = opportunity_id("Mary Anne Elizabeth Smith")
PAGES = ["/", "/candidates/new", "/webhooks", "/deliveries", "/apps", "/faults"]


class PageAudit(HTMLParser):
    """Collect what the accessibility checks need from a page."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.labels, self.controls, self.headings, self.links = set(), [], [], []
        self.buttons, self._button = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        elif tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(int(tag[1]))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "button":
            self._button = ""
        elif tag == "form":
            self.links.append(attrs.get("action", ""))

    def handle_data(self, data):
        if self._button is not None:
            self._button += data

    def handle_endtag(self, tag):
        if tag == "button":
            self.buttons.append(self._button.strip())
            self._button = None


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser


def _csrf(client) -> str:
    return form_field(client.get("/webhooks").text, "csrf_token")


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_branded_and_accessible(sandbox_client, path):
    response = sandbox_client.get(path)
    assert response.status_code == 200
    assert "Lever (local simulator)" in response.text
    page = audit(response.text)
    assert page.lang == "en"
    unlabelled = [c for c in page.controls if c.get("id") not in page.labels]
    assert unlabelled == []
    assert all(page.buttons)
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))


def test_consent_page_is_accessible(sandbox_client):
    page = audit(sandbox_client.get("/authorize", query_string=authorize_params()).text)
    assert page.lang == "en" and page.headings[0] == 1
    assert page.buttons == ["Accept", "Deny"]


def test_candidate_list_shows_every_seeded_candidate(sandbox_client):
    text = sandbox_client.get("/").text
    for spec in CANDIDATES:
        assert spec["name"].replace('"', "&#34;") in text
        assert opportunity_id(spec["name"]) in text
    assert "No phone" in text and "No e-mail" in text and "No offer" in text


def test_hire_button_needs_csrf_and_archives(sandbox_client, store):
    url = f"/candidates/{MARY}/hire"
    assert sandbox_client.post(url).status_code == 400
    response = sandbox_client.post(url, data={"csrf_token": _csrf(sandbox_client)})
    assert response.status_code == 302
    assert store.candidate(MARY)["opportunity"]["archived"]["reason"] == HIRED_REASON_ID
    assert "Hired. No webhook URL is set" in sandbox_client.get("/").text


def test_move_stage_button(sandbox_client, store):
    store.hire(MARY)
    data = {"csrf_token": _csrf(sandbox_client), "stage": "lead-new"}
    sandbox_client.post(f"/candidates/{MARY}/stage", data=data)
    opportunity = store.candidate(MARY)["opportunity"]
    assert opportunity["archived"] is None and opportunity["stage"] == "lead-new"


def test_add_candidate_form(sandbox_client, store):
    data = {
        "csrf_token": _csrf(sandbox_client),
        "name": "Nguyễn Thị Minh Khai",
        "emails": "minh@example.vn\nkhai@example.vn",
        "phone_0_value": "+84 24 5555 0100",
        "phone_0_type": "work",
        "phone_1_value": "+84 90 555 0100",
        "phone_1_type": "",
        "offer_status": "signed",
        "job_title": "Engineer",
        "start_date": "2031-02-03",
    }
    assert sandbox_client.post("/candidates/new", data=data).status_code == 302
    [added] = [c for c in store.candidates() if c["opportunity"]["name"] == data["name"]]
    assert added["opportunity"]["phones"] == [
        {"type": "work", "value": "+84 24 5555 0100"},
        {"value": "+84 90 555 0100"},
    ]
    fields = {f["identifier"]: f["value"] for f in added["offers"][0]["fields"]}
    midnight = dt.datetime(2031, 2, 3, tzinfo=dt.UTC)
    assert fields["anticipated_start_date"] == int(midnight.timestamp()) * 1000


def test_add_candidate_form_sets_pay_team_office_and_manager(sandbox_client, store):
    data = {
        "csrf_token": _csrf(sandbox_client),
        "name": "Olu Offer",
        "offer_status": "signed",
        "start_date": "2031-02-03",
        "salary": "6500.50",
        "currency": "EUR",
        "interval": "per-month-salary",
        "team": "Engineering",
        "office": "Zürich",
        "direct_manager": "sam.admin@sandbox.example",
    }
    page = sandbox_client.get("/candidates/new").text
    assert '<option value="sam.admin@sandbox.example">Sam Super-Admin</option>' in page
    assert sandbox_client.post("/candidates/new", data=data).status_code == 302
    [added] = [c for c in store.candidates() if c["opportunity"]["name"] == "Olu Offer"]
    fields = {f["identifier"]: f["value"] for f in added["offers"][0]["fields"]}
    assert (fields["salary_amount"], fields["compensation_currency"]) == (6500.5, "EUR")
    assert fields["salary_interval"] == "per-month-salary"
    assert (fields["team"], fields["location/office"]) == ("Engineering", "Zürich")
    assert fields["direct_manager"] == stable_id("user", "sam.admin@sandbox.example")
    assert fields["hiring_manager"] == HIRING_MANAGER_ID
    # A salary that is not a number is sent as typed, to try a hire with a bad offer.
    bad = {**data, "csrf_token": _csrf(sandbox_client), "name": "Bad Pay", "salary": "lots"}
    bad["direct_manager"] = ""
    assert sandbox_client.post("/candidates/new", data=bad).status_code == 302
    [added] = [c for c in store.candidates() if c["opportunity"]["name"] == "Bad Pay"]
    fields = {f["identifier"]: f["value"] for f in added["offers"][0]["fields"]}
    assert fields["salary_amount"] == "lots" and fields["direct_manager"] is None


def test_add_candidate_form_reports_errors(sandbox_client):
    data = {"csrf_token": _csrf(sandbox_client), "name": "", "offer_status": "signed"}
    response = sandbox_client.post("/candidates/new", data=data)
    assert response.status_code == 400
    assert "Enter the candidate&#39;s name." in response.text
    assert "YYYY-MM-DD" in response.text


def test_webhook_page_sets_url_regenerates_and_tests(sandbox_client, store, receiver):
    csrf = _csrf(sandbox_client)
    assert store.webhook()["signature_token"] in sandbox_client.get("/webhooks").text
    old = store.webhook()["signature_token"]
    sandbox_client.post("/webhooks/regenerate", data={"csrf_token": csrf})
    assert store.webhook()["signature_token"] != old
    sandbox_client.post("/webhooks/test", data={"csrf_token": csrf})
    assert receiver.bodies()[0]["data"] == {}
    sandbox_client.post("/webhooks", data={"csrf_token": csrf, "url": "ftp://nope"})
    assert store.webhook()["url"] == receiver.url
    sandbox_client.post("/webhooks", data={"csrf_token": csrf, "url": ""})
    assert store.webhook()["url"] == ""


def test_delivery_log_and_rerun_button(sandbox_client, store, receiver):
    delivery = store.hire(MARY)
    text = sandbox_client.get("/deliveries").text
    assert "Mary Anne Elizabeth Smith" in text and "succeeded" in text
    data = {"csrf_token": _csrf(sandbox_client)}
    sandbox_client.post(f"/deliveries/{delivery['id']}/rerun", data=data)
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["raw"] == receiver.requests[1]["raw"]


def test_authorized_apps_page_revokes(sandbox_client, token_pair):
    tokens = token_pair()
    assert "lever-cezanne-local" in sandbox_client.get("/apps").text
    data = {"csrf_token": _csrf(sandbox_client), "client_id": "lever-cezanne-local"}
    sandbox_client.post("/apps/revoke", data=data)
    assert "No apps are authorized." in sandbox_client.get("/apps").text
    assert refresh(sandbox_client, tokens["refresh_token"]).status_code == 403


def test_faults_page_saves_settings(sandbox_client, store):
    data = {
        "csrf_token": _csrf(sandbox_client),
        "fault_500_rate": "0.1",
        "fault_429_rate": "0.2",
        "latency_ms": "5",
        "rate_limit": "0",
        "rate_burst": "20",
        "access_token_ttl": "60",
    }
    sandbox_client.post("/faults", data=data)
    assert store.settings["fault_429_rate"] == 0.2
    assert store.settings["rate_limit"] is None
    assert store.settings["access_token_ttl"] == 60
    sandbox_client.post("/faults", data=data | {"fault_500_rate": "2"})
    assert store.settings["fault_500_rate"] == 0.1


def test_bulk_hire_form(sandbox_client, store):
    before = len(store.candidates())
    sandbox_client.post(
        "/candidates/bulk-hire", data={"csrf_token": _csrf(sandbox_client), "count": "3"}
    )
    assert len(store.candidates()) == before + 3


def test_urls_follow_the_mount_point():
    sandbox = create_app(make_config())
    main = Flask("main_app")
    main.wsgi_app = DispatcherMiddleware(main.wsgi_app, {"/lever-sandbox": sandbox.wsgi_app})
    client = main.test_client()
    page = audit(client.get("/lever-sandbox/").text)
    paths = [link for link in page.links if not link.startswith("#")]
    assert paths and all(link.startswith("/lever-sandbox/") for link in paths)
    audience = "http://localhost/lever-sandbox/v1/"
    consent_page = client.get(
        "/lever-sandbox/authorize", query_string=authorize_params(audience=audience)
    )
    assert consent_page.status_code == 200
    assert 'action="/lever-sandbox/authorize"' in consent_page.text
    wrong = client.get("/lever-sandbox/authorize", query_string=authorize_params())
    assert "error=access_denied" in wrong.headers["Location"]
    api = client.get(f"/lever-sandbox/v1/opportunities/{MARY}")
    assert api.status_code == 401 and api.json["code"] == "UnauthorizedError"


def test_hire_without_webhook_archives_and_sends_nothing(sandbox_client, store, receiver):
    url = f"/candidates/{MARY}/hire-without-webhook"
    assert sandbox_client.post(url).status_code == 400  # CSRF
    response = sandbox_client.post(url, data={"csrf_token": _csrf(sandbox_client)})
    assert response.status_code == 302
    assert store.candidate(MARY)["opportunity"]["archived"]["reason"] == HIRED_REASON_ID
    assert receiver.requests == [] and store.delivery_log() == []
    page = sandbox_client.get("/").text
    assert "Hired without a webhook" in page and "Hire without webhook" in page
    again = sandbox_client.post(
        url, data={"csrf_token": _csrf(sandbox_client)}, follow_redirects=True
    )
    assert "already hired" in again.text
