"""Every screen a user can reach from the navigation, in Chromium: it renders, it passes axe,
it logs no JavaScript error, and it works from the keyboard."""

import re

import pytest

from tests.e2e.browsing import PHONE

ADMIN_NAV = [
    "People", "My Tasks", "Pending hires", "Notifications", "Integrations", "Users", "Companies",
    "Departments",
    "Locations", "Genders", "Processes", "Outbox",
]  # fmt: skip
SIMULATOR_PAGES = ["/", "/candidates/new", "/webhooks", "/deliveries", "/apps", "/faults"]


@pytest.fixture(scope="module")
def admin_tab(open_tab, stack):
    tab = open_tab()
    tab.sign_in("admin", stack.admin_password)
    return tab


def test_login_page_works_from_the_keyboard(open_tab):
    tab = open_tab()
    page = tab.visit("/auth/login")
    tab.shot("login")
    assert page.locator("#username").evaluate("(el) => el === document.activeElement")
    # The skip link is reachable backwards from the focused field and jumps to the content.
    tab.tab_to("a.skip-link", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"), timeout=5000)  # the hash changes asynchronously
    tab.type_into("#username", "admin")
    tab.type_into("#password", "not-the-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/auth/login" in page.url
    assert "password" in page.inner_text("main").lower()
    tab.check()


def test_anonymous_visitor_is_sent_to_sign_in(open_tab):
    tab = open_tab()
    page = tab.visit("/people")
    assert "/auth/login" in page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_administrator_reaches_every_screen_from_the_navigation(admin_tab):
    page = admin_tab.page
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == ADMIN_NAV
    for label in ADMIN_NAV:
        admin_tab.tab_to(f'nav[aria-label="Main"] a:text-is("{label}")')
        with page.expect_navigation():
            page.keyboard.press("Enter")
        link = page.get_by_role("navigation", name="Main").get_by_role("link", name=label)
        assert link.get_attribute("aria-current") == "page", label
        assert page.locator("h1").is_visible()
        admin_tab.check()


def test_people_list_shows_the_demo_people(admin_tab, open_tab, stack):
    page = admin_tab.visit("/people")
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert any("Grace Hopper" in row and "DEMO-0001" in row for row in rows), rows
    phone = open_tab(viewport=PHONE)
    phone.sign_in("admin", stack.admin_password)
    phone.visit("/people")
    # Nothing may spill sideways off a phone screen except inside the scrolling table.
    overflow = phone.page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone screen"
    phone.shot("people-phone")


def test_companies_and_users_list_the_demo_organisation(admin_tab):
    companies = admin_tab.visit("/admin/companies").inner_text("main")
    for code in ("CEZ-UK", "CEZ-IE", "CEZ-OLD"):
        assert code in companies
    users = admin_tab.visit("/admin/users").inner_text("main")
    for username in ("admin", "hr.alex", "hr.priya", "hr.tom"):
        assert username in users


def test_hr_professional_sees_no_administration(open_tab, stack):
    tab = open_tab()
    tab.sign_in("hr.alex", stack.hr_password)
    nav = tab.page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == [
        "People",
        "My Tasks",
        "Pending hires",
        "Notifications",
        "Integrations",
    ]
    response = tab.page.goto(stack.url("/admin/users"))
    assert response.status == 403
    assert "Users" not in tab.page.locator("h1").inner_text()
    tab.problems.take()  # Chromium reports the 403 document itself as a failed resource
    tab.check()
    tab.sign_out()
    assert "/auth/login" in tab.page.url


@pytest.mark.parametrize("path", SIMULATOR_PAGES)
def test_simulator_pages_pass_axe(admin_tab, stack, path):
    page = admin_tab.visit("/lever-sandbox" + path)
    assert page.locator("h1").is_visible()
    assert "local simulator" in page.inner_text("header")


def open_assignee_picker(tab, text: str):
    """Type into the All tasks page's assignee picker and wait for its suggestions."""
    page = tab.visit("/admin/tasks")
    tab.type_into("#assignee", text)
    listbox = page.locator("#" + page.locator("#assignee").get_attribute("aria-controls"))
    listbox.locator("[role=option]").first.wait_for()
    return page, listbox


def test_picker_works_from_the_keyboard(admin_tab):
    page = admin_tab.visit("/admin/tasks")
    field = page.locator("#assignee")
    admin_tab.type_into("#assignee", "nobody-by-this-name")
    page.get_by_text("No matches.").wait_for()
    assert field.get_attribute("aria-expanded") == "false"

    page, listbox = open_assignee_picker(admin_tab, "hr.")
    labels = listbox.locator("[role=option]").all_inner_texts()
    assert [label.split(" (")[0] for label in labels] == ["Alex Morgan", "Priya Shah", "Tom Becker"]
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and field.get_attribute("aria-expanded") == "false"
    assert field.input_value() == "hr."
    page.keyboard.press("ArrowDown")  # reopens the list
    assert listbox.is_visible()
    for expected in ("Alex Morgan", "Priya Shah", "Tom Becker", "Alex Morgan"):  # wraps
        page.keyboard.press("ArrowDown")
        active = page.locator("#" + field.get_attribute("aria-activedescendant"))
        assert expected in active.inner_text()
        assert active.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")  # chooses, does not submit
    assert field.input_value() == "hr.alex"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the list is closed: Enter submits the filter
    assert "assignee=hr.alex" in page.url
    admin_tab.check()


def test_picker_arrow_up_from_the_field_goes_to_the_last_suggestion(admin_tab):
    page, _ = open_assignee_picker(admin_tab, "hr.")
    page.keyboard.press("ArrowUp")
    active = page.locator("#assignee").get_attribute("aria-activedescendant")
    assert "Tom Becker" in page.locator(f"#{active}").inner_text()
