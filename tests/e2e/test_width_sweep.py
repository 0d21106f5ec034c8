"""No page is wider than the screen: every page reachable from the navigation, as each role, at
390 px (a phone) and at 1280 px, with the longest names, codes and messages seeded."""

import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.e2e.browsing import PHONE, VIEWPORT
from tests.e2e.live_stack import ROOT
from tests.e2e.long_values import LONG_CODE, LONG_PERSON_CODE

WIDTHS = {"phone": PHONE, "laptop": VIEWPORT}
# GET links that leave the app or end the session are not pages to sweep.
SKIP = re.compile(r"^/(lever-sandbox|auth/logout|static/)|/export|\.csv")
OVERFLOW = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  widest: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                    && !(el.parentElement && el.parentElement.closest('.table-wrap')))
    .slice(0, 3).map((el) => el.tagName + '.' + el.className + ': '
                     + (el.textContent || '').trim().slice(0, 60)),
})"""


@pytest.fixture(scope="module")
def long_values(stack):
    subprocess.run(
        [sys.executable, "-m", "tests.e2e.long_values"],
        cwd=ROOT,
        env=stack.env(),
        check=True,
        capture_output=True,
        timeout=120,
    )


def _shape(path: str) -> str:
    """One page per kind: /people/12 and /people/13 are the same page."""
    return re.sub(r"\d+", "N", path)


def _pages(tab) -> list[str]:
    """The navigation's pages and every in-app page one link away from them."""
    page = tab.visit("/people", check=False)
    nav = page.locator('nav[aria-label="Main"] a').evaluate_all("(as) => as.map((a) => a.href)")
    found: dict[str, str] = {}
    for url in nav:
        found.setdefault(_shape(urlsplit(url).path), urlsplit(url).path)
    for start in list(found.values()):
        tab.visit(start, check=False)
        links = page.locator("main a[href]").evaluate_all("(as) => as.map((a) => a.href)")
        for link in links:
            parts = urlsplit(link)
            if parts.netloc != urlsplit(tab.base_url).netloc or SKIP.search(parts.path):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            found.setdefault(_shape(parts.path), path)
    return sorted(found.values())


@pytest.mark.parametrize("role", ["admin", "hr.alex"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_page_is_wider_than_the_screen(open_tab, stack, long_values, role, width):
    tab = open_tab(viewport=WIDTHS[width])
    tab.sign_in(role, stack.admin_password if role == "admin" else stack.hr_password)
    pages = _pages(tab)
    assert len(pages) >= (12 if role == "admin" else 6), pages

    too_wide = []
    for path in pages:
        page = tab.visit(path, check=width == "phone")  # axe once per page, at phone width
        measured = page.evaluate(OVERFLOW)
        if measured["overflow"] > 0:
            too_wide.append(f"{path}: {measured['overflow']}px too wide {measured['widest']}")
    assert not too_wide, "\n".join(too_wide)


def test_long_values_are_shown_whole_somewhere(open_tab, stack, long_values):
    tab = open_tab(viewport=PHONE)
    tab.sign_in("admin", stack.admin_password)
    page = tab.visit("/people?q=" + LONG_PERSON_CODE[:8])
    short = page.locator(f'abbr[title="{LONG_PERSON_CODE}"]')
    assert short.inner_text() == LONG_PERSON_CODE[:8] + "…"
    assert page.locator(f'button[aria-label="Copy the full code {LONG_PERSON_CODE}"]').count()
    companies = tab.visit("/admin/companies").inner_text("main")
    assert LONG_CODE in companies
    tab.shot("companies-phone")


def test_menu_button_opens_and_closes_the_navigation_by_keyboard(open_tab, stack):
    tab = open_tab(viewport=PHONE)
    tab.sign_in("admin", stack.admin_password)
    page = tab.visit("/people")
    nav = page.get_by_role("navigation", name="Main")
    button = page.get_by_role("button", name="Menu")
    assert nav.is_hidden() and button.get_attribute("aria-expanded") == "false"

    tab.tab_to(".menu-toggle")
    page.keyboard.press("Enter")
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")  # closes it from the button too, right after opening
    assert nav.is_hidden() and button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    tab.shot("menu-phone")
    tab.tab_to('nav[aria-label="Main"] a:text-is("Companies")')
    page.keyboard.press("Escape")
    assert nav.is_hidden() and page.evaluate("document.activeElement.className").count("menu")
    page.keyboard.press("Enter")
    tab.tab_to('nav[aria-label="Main"] a:text-is("Companies")')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/admin/companies" in page.url
    tab.check()
