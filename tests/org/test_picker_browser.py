"""The picker and confirmation scripts in a real browser (skipped when Chromium is missing)."""

import threading

import pytest
from werkzeug.serving import make_server

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_missing

sync_api = pytest.importorskip("playwright.sync_api")
MISSING = chromium_missing()
pytestmark = [pytest.mark.committed, pytest.mark.skipif(bool(MISSING), reason=str(MISSING))]


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_url, admin):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    # Script errors and CSP violations show up as console errors; a missing favicon is fine.
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and "Failed to load resource" not in msg.text
            and errors.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and errors.append(f"{r.status} {r.url}")
        ),
    )
    page.goto(f"{live_url}/auth/login")
    page.fill("#username", "admin")
    page.fill("#password", "correct-horse-battery")
    page.click("button[type=submit]")
    yield page
    context.close()
    assert errors == []  # no CSP violations or script errors


def test_company_picker_by_keyboard(live_url, page, admin, make_person, make_task, make_company):
    make_company("CEZ-UK", "Cezanne UK Ltd")
    make_company("CEZ-IE", "Cezanne Ireland Ltd")
    make_company("CEZ-OLD", "Cezanne Legacy", active=False)
    task = make_task(make_person(), admin)
    page.goto(f"{live_url}/tasks/{task.id}")
    field = page.locator("#company")

    field.fill("cez")
    page.wait_for_selector("#company-listbox [role=option]")
    options = page.locator("#company-listbox [role=option]")
    assert options.all_inner_texts() == ["CEZ-IE — Cezanne Ireland Ltd", "CEZ-UK — Cezanne UK Ltd"]
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "true"
    field.press("ArrowDown")
    field.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == "company-listbox-1"
    field.press("Enter")  # chooses; does not submit

    assert field.input_value() == "CEZ-UK"
    assert field.get_attribute("aria-expanded") == "false"
    page.click("text=Add Employment Details >> nth=-1")
    page.wait_for_selector("text=Employment Details added in CEZ-UK — Cezanne UK Ltd")


def test_user_picker_by_mouse_and_escape(live_url, page, make_user):
    make_user("hr", username="pshah", display_name="Priya Shah", email="priya@example.com")
    page.goto(f"{live_url}/admin/tasks")
    field = page.locator("#assignee")

    field.fill("pri")
    page.wait_for_selector("#assignee-listbox [role=option]")
    field.press("Escape")
    assert field.get_attribute("aria-expanded") == "false"
    field.fill("priy")
    page.click("text=Priya Shah (pshah) — priya@example.com")

    assert field.input_value() == "pshah"


def test_deactivating_a_company_asks_first_and_names_the_integration(
    db, live_url, page, admin, company, make_integration
):
    integration = make_integration(admin, company)
    page.goto(f"{live_url}/admin/companies")

    page.click(f"a:has-text('Deactivate {company.code}')")
    page.wait_for_selector(f"h1:has-text('Deactivate {company.label}?')")
    assert integration.subdomain in page.inner_text(".notice-warning")
    page.click("text=Cancel")
    page.wait_for_selector("h1:has-text('Companies')")
    db.session.refresh(company)
    assert company.active

    page.goto(f"{live_url}/admin/companies/{company.id}/deactivate")
    page.click(f"button:has-text('Deactivate {company.code}')")
    page.wait_for_selector("text=is inactive")
    db.session.refresh(company)
    assert not company.active


def test_picker_shows_no_matches_and_enter_does_not_submit(live_url, page, make_company):
    make_company("WID", "Widget Ireland Ltd")
    page.goto(f"{live_url}/integrations/lever/new")
    field = page.locator("#company_code")
    submitted = []
    page.on("request", lambda r: r.method == "POST" and submitted.append(r.url))

    field.fill("zzqx")
    page.wait_for_selector("#company_code-none:visible")
    assert "No matches for “zzqx”" in page.inner_text("#company_code-none")
    field.press("Enter")
    field.fill("zzqy")
    field.press("Enter")  # not looked up yet: Enter looks it up instead of submitting
    page.wait_for_selector("text=No matches for “zzqy”")
    assert submitted == []

    field.fill("irel")  # the start of the name's second word
    page.wait_for_selector("#company_code-listbox [role=option]")
    assert not page.is_visible("#company_code-none")
    field.press("Enter")  # one suggestion: Enter chooses it
    assert field.input_value() == "WID"
    assert page.inner_text("#company_code-chosen") == "WID — Widget Ireland Ltd"
    assert submitted == []


def test_error_summary_takes_focus_and_errors_clear_on_change(live_url, page, admin):
    page.goto(f"{live_url}/integrations/lever/new")
    page.fill("#signature_token", "tok-123")
    page.click("button:has-text('Save')")

    summary = page.locator("[data-error-summary]")
    page.locator("[data-error-summary]:focus").wait_for()
    assert "There is a problem" in summary.inner_text()
    assert "Choose the New Hire Administrator." in summary.inner_text()
    summary.locator("a", has_text="Choose the New Hire Administrator.").click()
    assert page.evaluate("document.activeElement.id") == "admin_username"

    page.fill("#admin_username", "adm")
    page.wait_for_selector("#admin_username-listbox [role=option]")
    page.locator("#admin_username").press("ArrowDown")
    page.locator("#admin_username").press("Enter")

    assert page.locator("#admin_username-error").count() == 0
    assert page.locator("#admin_username").get_attribute("aria-invalid") is None
    assert "Choose the New Hire Administrator." not in summary.inner_text()
    assert "Enter the subdomain." in summary.inner_text()


def test_webhook_url_follows_the_subdomain_as_it_is_typed(live_url, page):
    page.goto(f"{live_url}/integrations/lever/new")
    url = page.locator("#webhook-url")
    assert url.inner_text().endswith("/cezannehr/api/v4/Lever/webhook/YOUR_SUBDOMAIN")
    assert "follows the Subdomain as you type" in page.inner_text("#webhook-url-how")

    page.locator("#subdomain").press_sequentially("AcmeHR")

    assert url.inner_text() == f"{live_url}/cezannehr/api/v4/Lever/webhook/AcmeHR"
    page.fill("#subdomain", "")
    assert url.inner_text().endswith("/webhook/YOUR_SUBDOMAIN")
