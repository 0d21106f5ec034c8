"""The whole hire story in Chromium, in order: set-up and consent, a hire, then the failure paths.

Each test continues from the one before (one live stack, one browser for the module). Our app's
forms and pickers are driven from the keyboard only; every page visited is checked with axe and
for JavaScript errors (see Browse.check).
"""

import re
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from tests.e2e.browsing import PHONE, Browse
from tests.e2e.story_steps import (
    add_candidate_in_lever,
    authorise_in_lever,
    day,
    definitions,
    fill_details,
    flash_text,
    hire_in_lever,
    hire_new_candidate,
    london_today,
    person_employment_text,
    press_and_wait,
    set_company_active,
    wait_for_log_row,
)

SUBDOMAIN = "acme-hr"
NEW_HIRE_ADMIN = ("hr.priya", "Priya Shah")
ADA = SimpleNamespace(
    name="Ada Mary Lovelace",
    email="ada.lovelace@example.com",
    work="+44 20 7946 0001",
    mobile="+44 7700 900001",
    other="+44 20 7946 0999",
    skype="ada.lovelace",
    start=date.today() + timedelta(days=21),
)


@pytest.fixture(scope="module")
def story(stack):
    """What the steps learn and pass on: the integration's id, the candidates' Lever ids."""
    return SimpleNamespace(integration_id=None, candidates={}, denied=None)


@pytest.fixture(scope="module")
def admin(open_tab, stack) -> Browse:
    tab = open_tab()
    tab.sign_in("admin", stack.admin_password)
    return tab


@pytest.fixture(scope="module")
def new_hire_admin(open_tab, stack) -> Browse:
    tab = open_tab()
    tab.sign_in(NEW_HIRE_ADMIN[0], stack.hr_password)
    return tab


def test_01_administrator_sets_up_and_authorises_the_integration(admin, stack, story):
    page = admin.page
    # Lever side: the signature token to copy.
    admin.visit("/lever-sandbox/webhooks")
    token = page.locator("#signature-token").inner_text().strip()
    assert len(token) >= 16

    admin.visit("/integrations/lever/")
    admin.tab_to("main a:text-is('Add New')")
    press_and_wait(admin)
    admin.check()
    admin.type_into("#subdomain", SUBDOMAIN)
    admin.type_into("#signature_token", token)
    assert admin.pick("#admin_username", "priya", "Priya Shah") == NEW_HIRE_ADMIN[0]
    chosen = admin.pick(
        "#company_code", "cezanne", "Cezanne UK Ltd", open_shot="details-form-picker"
    )
    assert chosen == "CEZ-UK"
    # Radio group: Tab reaches the checked option, the arrow keys change it.
    admin.tab_to("input[name=hire_date_source]:checked")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=hire_date_source][value=offer]").is_checked()
    admin.tab_to("main button:text-is('Save')")
    press_and_wait(admin)
    assert f"'{SUBDOMAIN}' saved" in flash_text(admin), flash_text(admin)

    authorise_in_lever(admin, shot="consent")
    story.integration_id = int(re.search(r"/lever/(\d+)/details", page.url).group(1))
    webhook_url = page.locator("#webhook-url").inner_text().strip()
    assert webhook_url == f"{stack.base_url}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}"
    admin.shot("integration-details")
    # The Log tab, reached from the integration's tabs, records who authorised it.
    admin.tab_to("nav[aria-label=Integration] a:text-is('Log')")
    press_and_wait(admin)
    admin.check()
    first = page.locator("table tbody tr").first
    assert "Lever authorised by Dana Admin" in first.inner_text()
    assert first.locator(".badge").inner_text() == "Information"

    # Lever side again: point the Candidate Hired webhook at this integration.
    admin.visit("/lever-sandbox/webhooks")
    page.fill("#url", webhook_url)
    page.get_by_role("button", name="Save URL").click()
    assert "Webhook URL saved." in page.inner_text("main")
    assert stack.sandbox_state()["webhook"]["url"] == webhook_url

    admin.visit("/integrations/lever/")
    row = page.locator("tbody tr", has_text=SUBDOMAIN)
    assert row.locator(".badge").inner_text() == "Waiting for first webhook"
    assert "Priya Shah" in row.inner_text() and "CEZ-UK" in row.inner_text()
    admin.shot("integrations-list")


def wait_for_documents(tab, count: int, seconds: float = 15):
    """Reload the person page until its Documents section lists count files (fetched after
    the New Starter row is written)."""
    rows = tab.page.locator("section[aria-labelledby=documents] tbody tr")
    deadline = time.monotonic() + seconds
    while rows.count() < count and time.monotonic() < deadline:
        time.sleep(0.5)
        tab.page.reload()
    assert rows.count() == count
    return rows


def test_02_a_hire_in_lever_becomes_a_person_and_a_task(admin, new_hire_admin, stack, story):
    assert story.integration_id, "test_01 must have set up the integration"
    opportunity_id = add_candidate_in_lever(admin, stack, ADA)
    hire_in_lever(admin, opportunity_id)
    story.candidates["ada"] = opportunity_id
    lever = next(c for c in stack.sandbox_state()["candidates"] if c["id"] == opportunity_id)
    person_code = lever["contact_id"]

    row = wait_for_log_row(
        admin, stack, story, "New Starter Process started for Ada Lovelace", "Information"
    )
    assert f"Person Code {person_code}" in row.inner_text()
    assert "task assigned to Priya Shah" in row.inner_text()
    # What Lever sent is loaded on demand, into the row, without leaving the Log tab.
    row.locator("details.log-delivery summary").click()
    admin.tab_to(f"#{row.get_attribute('id')} a[data-payload-target]")
    admin.page.keyboard.press("Enter")
    payload = row.locator("pre.log-payload", has_text=opportunity_id)
    payload.wait_for(state="visible")
    assert '"event": "candidateHired"' in payload.inner_text()
    assert "token" not in payload.inner_text() and admin.page.url.endswith("/log")
    admin.check()
    admin.tab_to(f"#{row.get_attribute('id')} a[href*='/people/']")
    press_and_wait(admin)
    admin.check()
    page = admin.page
    documents = wait_for_documents(admin, 2)
    assert sorted(documents.locator("td:nth-child(2)").all_inner_texts()) == [
        "Resume",
        "Signed offer letter",
    ]
    # The Administrator downloads the signed offer letter: an attachment, Lever's PDF bytes.
    with page.expect_download() as download:
        documents.filter(has_text="Signed offer letter").locator("a").click()
    assert download.value.suggested_filename == "employment-offer-letter_signed.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-1.4")
    admin.shot("person", full_page=True)
    person_path = urlsplit(page.url).path
    assert definitions(page.locator("section[aria-labelledby=personal]")) == {
        "First Name": "Ada",
        "Middle Name": "Mary",
        "Surname": "Lovelace",
        "Known As": "Ada",
        "Full Name": "Ada Lovelace",
        "Legal Name": "Ada Lovelace",
        "Person Code": person_code,
        "Gender": "Not Known",
        "Date of Birth": day(london_today()),
    }
    assert definitions(page.locator("section[aria-labelledby=contact]")) == {
        "Home Number": ADA.work,
        "Work Number": ADA.work,
        "Mobile Number": ADA.mobile,
        "Other Number": ADA.other,
        "Skype Name": ADA.skype,
        "External E-mail": ADA.email,
    }
    employment = page.locator("section[aria-labelledby=employment] tbody tr")
    assert employment.count() == 1
    assert employment.locator("td").all_inner_texts() == [
        "CEZ-UK — Cezanne UK Ltd",
        person_code,
        day(ADA.start),  # the integration takes the Hire Date from the signed offer
        "Open Ended",
    ]
    # The signed offer's job: its title, the Lever hiring manager (a demo person by e-mail) and
    # the salary; the offer names no team or office.
    job = page.locator("dl[aria-labelledby=job]").evaluate(
        "(dl) => Array.from(dl.querySelectorAll('dt')).map("
        "(dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])"
    )
    assert dict(job) == {
        "Job Title": "Analytical Engineer",
        "Department": "Not given",
        "Location": "Not given",
        "Line Manager": "Hana Hiring-Manager",
        "Salary": f"55,000.00 GBP per year from {day(ADA.start)}",
    }
    tasks = page.locator("section[aria-labelledby=tasks] tbody tr")
    assert "Priya Shah" in tasks.inner_text() and "Open" in tasks.inner_text()

    # The New Hire Administrator finds the task under My Tasks and works through it: the real
    # Date of Birth, the checklist, then completes it.
    hr = new_hire_admin
    hr.visit("/tasks/mine")
    hr.tab_to("main table a:text-is('Ada Lovelace')")
    press_and_wait(hr)
    hr.check()
    assert hr.page.locator("h1").inner_text() == "New Starter: Ada Lovelace"
    not_ready = hr.page.locator("section[aria-labelledby=not-ready]").inner_text()
    assert "“Replace the placeholder Date of Birth” is not done." in not_ready
    assert hr.page.locator("main button:text-is('Mark as completed')").count() == 0
    hr.tab_to("main a:text-is('Edit personal details')")
    press_and_wait(hr)
    hr.check()
    hr.tab_to("#date_of_birth")
    hr.page.keyboard.type("10101985")  # the same in day-month and month-day orders
    hr.tab_to("main button:text-is('Save')")
    press_and_wait(hr)
    hr.check()
    assert "Saved the personal details of Ada Lovelace." in flash_text(hr)
    # The offer brought a Job Title and Salary, so they are confirmed by hand too.
    for step in ("Confirm personal details", "Confirm Gender", "Confirm Job and Salary"):
        hr.tab_to(f"#checklist ~ ol li:has-text('{step}') button:text-is('Tick')")
        press_and_wait(hr)
        hr.check()
        assert f"Ticked “{step}”." in flash_text(hr)
    checklist = hr.page.locator("section[aria-labelledby=checklist]").inner_text()
    assert "Ticked by Priya Shah on" in checklist
    assert "Checked automatically from the data." in checklist
    hr.shot("task", full_page=True)
    hr.tab_to("main button:text-is('Mark as completed')")
    press_and_wait(hr)
    hr.check()
    assert "The New Starter task for Ada Lovelace is completed." in flash_text(hr)
    assert hr.page.locator(".page-head .badge").inner_text() == "Completed"
    hr.visit("/tasks/mine")
    mine = hr.page.locator("main tbody tr", has_text="Ada Lovelace")
    assert "Completed" in mine.inner_text()
    hr.visit(person_path)
    history = hr.page.locator("section[aria-labelledby=history]").inner_text()
    assert "Priya Shah" in history and "Date of Birth" in history and "10 Oct 1985" in history


def test_02b_the_new_hire_administrator_is_e_mailed_and_the_outbox_shows_it(admin, story):
    assert story.integration_id, "test_01 must have set up the integration"
    page = admin.visit("/outbox/")
    row = page.locator("tbody tr", has_text="New Starter task: Ada Lovelace")  # the Full Name
    assert "hr.priya@example.com" in row.inner_text()
    assert "Not sent: no MAIL_SERVER" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link").click()
    text = page.locator("pre.mail-text").inner_text()
    assert "Ada Lovelace" in text and re.search(r"/tasks/\d+", text), text
    frame = page.frame_locator("iframe.mail-html")
    assert frame.get_by_role("link", name="Open the task").is_visible()
    admin.check()
    admin.shot("outbox-mail", full_page=True)


def test_03_inactive_default_company_then_employment_added_on_the_task(
    admin, new_hire_admin, stack, story
):
    assert story.integration_id, "test_01 must have set up the integration"
    set_company_active(admin, "CEZ-UK", "Deactivate", integration=SUBDOMAIN)
    assert "CEZ-UK" in flash_text(admin)
    hire_new_candidate(stack, story, "katherine", "Katherine Johnson")

    error = wait_for_log_row(
        admin, stack, story, "Employment Details were not created for Katherine Johnson", "Error"
    )
    message = error.inner_text()
    assert "Default Company CEZ-UK (Cezanne UK Ltd) is inactive" in message
    assert "Add the Employment Details in the New Starter task" in message
    assert "change the Default Company under Integrations › Lever" in message
    wait_for_log_row(
        admin, stack, story, "New Starter Process started for Katherine Johnson", "Information"
    )

    # The New Hire Administrator adds the Employment Details from the task, by keyboard.
    hr = new_hire_admin
    hr.visit("/tasks/mine")
    hr.tab_to("main table a:text-is('Katherine Johnson')")
    press_and_wait(hr)
    hr.check()
    assert "no Employment Details yet" in hr.page.inner_text("main")
    hr.shot("task-add-employment", full_page=True)
    assert hr.pick("#company", "cezanne", "Cezanne Ireland Ltd") == "CEZ-IE"
    hr.tab_to("main button:text-is('Add Employment Details')")
    press_and_wait(hr)
    hr.check()
    assert "Employment Details added in CEZ-IE — Cezanne Ireland Ltd." in flash_text(hr)
    employment = definitions(hr.page.locator("section[aria-labelledby=employment]"))
    assert employment["Company"] == "CEZ-IE — Cezanne Ireland Ltd"
    assert employment["Hire Date"] == day(london_today())
    assert employment["Termination Date"] == "Open Ended"

    # The Administrator applies the other fix: an active Default Company.
    admin.visit(f"/integrations/lever/{story.integration_id}/details")
    assert admin.pick("#company_code", "CEZ-I", "Cezanne Ireland Ltd") == "CEZ-IE"
    admin.tab_to("main button:text-is('Save')")
    press_and_wait(admin)
    admin.check()
    assert "Details saved." in flash_text(admin)


def test_04_revoked_access_then_reauthorise_and_retry(admin, stack, story):
    assert story.integration_id, "test_01 must have set up the integration"
    page = admin.page
    admin.visit("/lever-sandbox/apps")
    page.get_by_role("button", name="Revoke Access").first.click()
    assert "Access revoked" in page.inner_text("main")
    opportunity_id = hire_new_candidate(stack, story, "mary", "Mary Jackson")

    # While access is revoked, Retry cannot help: the row offers the fix instead.
    failed = wait_for_log_row(admin, stack, story, opportunity_id, "Error")
    assert "Lever access was revoked or has expired: re-authorise" in failed.inner_text()
    assert failed.locator("form[action$='/retry']").count() == 0
    assert failed.get_by_text("Re-authorise").count() >= 1
    admin.visit("/integrations/lever/")
    row = page.locator("tbody tr", has_text=SUBDOMAIN)
    assert row.locator(".badge").inner_text() == "Needs re-authorisation"

    admin.visit(f"/integrations/lever/{story.integration_id}/details")
    admin.tab_to("main button:text-is('Re-authorise')")
    press_and_wait(admin)  # the button itself is the confirmation: straight to Lever
    authorise_in_lever(admin, confirm=False, state="Needs attention")  # Mary's error is open

    failed = wait_for_log_row(admin, stack, story, opportunity_id, "Error", retryable=True)
    admin.tab_to(f"#{failed.get_attribute('id')} button:text-is('Retry now')")
    press_and_wait(admin)
    admin.check()
    wait_for_log_row(
        admin, stack, story, "New Starter Process started for Mary Jackson", "Information"
    )
    assert "CEZ-IE" in person_employment_text(admin, "Mary Jackson")
    admin.visit(f"/integrations/lever/{story.integration_id}/log")
    admin.shot("log")


def test_04b_the_log_reads_on_a_phone_as_cards(open_tab, stack, story):
    assert story.integration_id, "test_01 must have set up the integration"
    phone = open_tab(viewport=PHONE)
    phone.sign_in("admin", stack.admin_password)
    page = phone.visit(f"/integrations/lever/{story.integration_id}/log?q=mary")
    rows = page.locator("table.log-table tbody tr")
    assert rows.count() >= 2
    assert not page.locator("table.log-table thead").is_visible() or (
        page.locator("table.log-table thead").bounding_box()["height"] <= 1
    )
    for index in range(rows.count()):
        row = rows.nth(index)
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        # A card: time and level on one line, the message below them.
        time_box = row.locator(".log-time").bounding_box()
        level_box = row.locator(".log-level").bounding_box()
        message_box = row.locator(".log-message").bounding_box()
        assert abs(time_box["y"] - level_box["y"]) < 8
        assert message_box["y"] >= time_box["y"] + time_box["height"] - 1
        assert re.search(r"\d\d \w{3} \d{4} \d\d:\d\d (GMT|BST)", row.inner_text())
    # The delivery's details (its payload most of all) must wrap, not widen the page.
    page.locator("details.log-delivery summary").first.click()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the Log is {overflow}px wider than a phone screen"
    phone.check()
    phone.shot("log-phone", full_page=True)


def test_05_duplicate_subdomain_refused_and_denied_consent(admin, stack, story):
    page = admin.page
    admin.visit("/integrations/lever/new")
    fill_details(admin, SUBDOMAIN.upper(), "a-signature-token-of-some-length")
    error = page.locator("#subdomain-error")
    assert "already uses the subdomain" in error.inner_text()
    assert page.locator("#subdomain").get_attribute("aria-invalid") == "true"
    assert "subdomain-error" in page.locator("#subdomain").get_attribute("aria-describedby")

    fill_details(admin, "acme-eu", "a-signature-token-of-some-length")
    assert "redirected to Lever" in page.inner_text("main")
    admin.tab_to("main button:text-is('OK')")
    press_and_wait(admin)
    admin.tab_to("button[value=deny]")
    press_and_wait(admin)
    page.wait_for_url(re.compile(r"/integrations/lever/\d+/details$"))
    admin.check()
    message = flash_text(admin)
    assert "Lever was not authorised: the permissions were denied in Lever" in message
    assert page.locator(".page-head .badge").inner_text() == "Needs attention"
    assert "not been authorised yet" in page.locator(".state-why").inner_text()
    story.denied = (message, page.locator("main button").all_inner_texts())

    admin.tab_to("main a:text-is('Delete')")
    press_and_wait(admin)
    admin.check()
    admin.tab_to("main button:text-is('Delete integration')")
    press_and_wait(admin)
    admin.check()
    assert "'acme-eu' deleted" in flash_text(admin)
    assert "acme-eu" not in page.locator("main table").inner_text()


def test_06_the_denied_consent_message_names_a_button_on_the_page(story):
    message, buttons = story.denied
    named = re.search(r"Click ([\w-]+) to try again", message)
    assert named, message
    assert named.group(1) in buttons, f"{named.group(1)!r} is not one of {buttons}"


def test_07_hr_professional_reads_the_integration_but_cannot_change_it(
    admin, new_hire_admin, story
):
    assert story.integration_id, "test_01 must have set up the integration"
    partial = "Employment Details were not created for Katherine Johnson"
    admin.visit(f"/integrations/lever/{story.integration_id}/log")
    retry = admin.page.locator("tbody tr", has_text=partial).locator("form[action$='/retry']")
    assert retry.count() == 1  # Administrators may retry the partial delivery

    hr = new_hire_admin
    page = hr.visit("/integrations/lever/")
    assert page.locator("main a:text-is('Add New')").count() == 0
    hr.tab_to(f"main a:text-is('{SUBDOMAIN}')")
    press_and_wait(hr)
    hr.check()
    assert page.locator("main form").count() == 0  # the Details tab is read-only
    assert "Only Administrators can change these details." in page.inner_text("main")
    hr.tab_to("nav[aria-label=Integration] a:text-is('Log')")
    press_and_wait(hr)
    hr.check()
    row = page.locator("tbody tr", has_text=partial)
    assert row.count() == 1
    assert row.locator("form[action$='/retry']").count() == 0


def test_08_the_administrators_home_is_the_integrations_health(admin, story):
    assert story.integration_id, "test_01 must have set up the integration"
    page = admin.visit("/")
    assert page.locator("h1").inner_text() == "Integrations health"
    card = page.locator(f"section[data-integration='{SUBDOMAIN}']")
    assert card.locator(".badge").inner_text() in ("Healthy", "Needs attention")
    assert "in the last 7 days" in card.inner_text()
    admin.check()
    admin.shot("health", full_page=True)


def test_09_field_mapping_preview_and_departments(admin, story):
    assert story.integration_id and story.candidates.get("ada"), "test_01 and 02 must have run"
    page = admin.visit(f"/integrations/lever/{story.integration_id}/mapping")
    assert page.locator("#line_manager").input_value() == "direct_manager, hiring_manager"
    admin.tab_to("#opportunity")
    page.keyboard.type(story.candidates["ada"])
    admin.tab_to("main button:text-is('Preview')")
    press_and_wait(admin)
    admin.check()
    preview = page.locator("section[aria-labelledby=preview-title]").inner_text()
    assert "Analytical Engineer" in preview and "Hana Hiring-Manager (DEMO-0003)" in preview
    admin.shot("field-mapping", full_page=True)
    page = admin.visit("/admin/departments")
    assert "PAY" in page.locator("main table").inner_text()
    admin.shot("departments")
