"""Steps of the hire story that the tests repeat: the Log tab, authorising, hiring in Lever."""

import re
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.e2e.browsing import Browse

LOG_WAIT_SECONDS = 30


def london_today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def day(value: date) -> str:
    """A date as the app shows it, e.g. 02 Sep 2024."""
    return value.strftime("%d %b %Y")


def press_and_wait(tab: Browse, key: str = "Enter") -> None:
    """Press a key that submits or follows a link, and wait for the next page."""
    with tab.page.expect_navigation():
        tab.page.keyboard.press(key)


def flash_text(tab: Browse) -> str:
    flashes = tab.page.locator(".flashes, p.flash")
    return " ".join(flashes.all_inner_texts())


def definitions(section) -> dict[str, str]:
    """Read a <dl> as {term: description}."""
    pairs = section.locator("dl").first.evaluate(
        "(dl) => Array.from(dl.querySelectorAll('dt')).map("
        "(dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])"
    )
    return dict(pairs)


def wait_for_log_row(tab: Browse, stack, story, text: str, level: str, retryable=False):
    """Reload the Log tab until a row with text (and level; with Retry now) shows up."""
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    path = f"/integrations/lever/{story.integration_id}/log"
    while True:
        tab.visit(path, check=False)
        rows = tab.page.locator("table tbody tr", has_text=text)
        if retryable:  # Retry now sits on the row itself
            rows = rows.filter(has=tab.page.locator("form[action$='/retry']"))
        if rows.count():
            row = rows.first
            assert row.locator(".badge").inner_text() == level, row.inner_text()
            tab.check()
            return row
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no {level} row with {text!r} on the Log tab after {LOG_WAIT_SECONDS}s:\n"
                + tab.page.inner_text("main")
                + stack.diagnostics()
            )
        time.sleep(0.5)


def authorise_in_lever(
    tab: Browse,
    confirm: bool = True,
    shot: str | None = None,
    state: str = "Waiting for first webhook",
) -> None:
    """Say OK to our confirmation (if asked), Accept on Lever's consent screen, come back."""
    if confirm:
        assert "redirected to Lever" in tab.page.inner_text("main")
        tab.check()
        tab.tab_to("main button:text-is('OK')")
        press_and_wait(tab)
    assert "/lever-sandbox/authorize" in tab.page.url
    tab.check()
    if shot:
        tab.shot(shot)
    tab.tab_to("button[value=accept]")
    press_and_wait(tab)
    tab.page.wait_for_url(re.compile(r"/integrations/lever/\d+/details$"))
    tab.check()
    assert "Lever is authorised" in flash_text(tab), flash_text(tab)
    assert tab.page.locator(".page-head .badge").inner_text() == state


def add_candidate_in_lever(tab: Browse, stack, candidate) -> str:
    """Fill the simulator's Add a candidate form (a test tool, so no keyboard rules here)."""
    page = tab.page
    tab.visit("/lever-sandbox/candidates/new")
    page.fill("#name", candidate.name)
    page.fill("#emails", candidate.email)
    phones = [(candidate.work, "work"), (candidate.mobile, "mobile")]
    phones += [(candidate.other, "other"), (candidate.skype, "skype")]
    for row, (value, kind) in enumerate(phones):
        page.fill(f"#phone_{row}_value", value)
        page.select_option(f"#phone_{row}_type", kind)
    page.select_option("#offer_status", "signed")
    page.fill("#job_title", "Analytical Engineer")
    page.fill("#start_date", candidate.start.isoformat())
    page.get_by_role("button", name="Add candidate").click()
    assert f"Added {candidate.name}." in page.inner_text("main")
    return page.locator("tbody tr", has_text=candidate.name).get_attribute("id")


def hire_in_lever(tab: Browse, opportunity_id: str) -> None:
    tab.visit("/lever-sandbox/")
    row = tab.page.locator(f"tr[id='{opportunity_id}']")
    row.get_by_role("button", name=re.compile(r"^Hire(?! without)")).click()
    assert "Hired. Candidate Hired webhook:" in tab.page.inner_text("main")


def set_company_active(tab: Browse, code: str, action: str, integration: str = "") -> None:
    """Deactivate or Activate a company from the Companies list (confirming if asked)."""
    tab.visit("/admin/companies")
    row = f"tbody tr:has(td:text-is('{code}'))"
    if integration:  # an integration hires into it: a page asks first, naming the integration
        tab.tab_to(f"{row} a:has-text('{action}')")
        press_and_wait(tab)
        tab.check()
        assert "Lever integration" in tab.page.inner_text("main")
        assert integration in tab.page.inner_text("main")
        tab.tab_to(f"main button:text-is('{action} {code}')")
    else:
        tab.tab_to(f"{row} button:text-is('{action}')")
    press_and_wait(tab)
    tab.check()


def hire_new_candidate(stack, story, key: str, name: str) -> str:
    """Add and hire a candidate through the simulator's machine interface."""
    email = name.lower().replace(" ", ".") + "@example.com"
    opportunity_id = stack.sandbox_post("candidates", {"name": name, "emails": [email]})["id"]
    delivery = stack.sandbox_post(f"candidates/{opportunity_id}/hire")["delivery"]
    assert delivery is not None, "the simulator has no webhook URL"
    story.candidates[key] = opportunity_id
    return opportunity_id


def person_employment_text(tab: Browse, full_name: str) -> str:
    tab.visit("/people")
    tab.tab_to(f"main table a:text-is('{full_name}')")
    press_and_wait(tab)
    tab.check()
    return tab.page.inner_text("section[aria-labelledby=employment]")


def fill_details(tab: Browse, subdomain: str, token: str) -> None:
    """Fill a new integration's Details form from the keyboard and press Save."""
    tab.type_into("#subdomain", subdomain)
    tab.type_into("#signature_token", token)
    tab.pick("#admin_username", "alex", "Alex Morgan")
    tab.pick("#company_code", "CEZ-IE", "Cezanne Ireland Ltd")
    tab.tab_to("main button:text-is('Save')")
    press_and_wait(tab)
    tab.check()
