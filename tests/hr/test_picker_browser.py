"""The picker and confirmation scripts in a real browser (skipped when Chromium is missing)."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="needs a Chromium binary")


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
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


def test_confirmation_prompt_can_cancel(db, live_url, page, make_company):
    company = make_company("CEZ-UK", "Cezanne UK Ltd")
    page.goto(f"{live_url}/admin/companies")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))

    page.click("button:has-text('Deactivate')")

    assert messages and messages[0].startswith("Deactivate CEZ-UK?")
    db.session.refresh(company)
    assert company.active
