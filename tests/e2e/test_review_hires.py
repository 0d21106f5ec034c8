"""Review before create in Chromium: two hires wait under Pending hires; an Administrator
approves one (with a correction, and safely from a second, stale tab) and rejects the other.

The module sets up its own integration with --review-hires and points the simulator's webhook at
it, then points the webhook back where it was, so the other modules are not disturbed. Every
page is checked with axe and for JavaScript errors (Browse.check).
"""

import re
import time
from types import SimpleNamespace

import pytest

from tests.e2e.browsing import Browse
from tests.e2e.story_steps import (
    authorise_in_lever,
    definitions,
    flash_text,
    hire_new_candidate,
    press_and_wait,
)

SUBDOMAIN = "review-hr"
WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def admin(open_tab, stack) -> Browse:
    tab = open_tab()
    tab.sign_in("admin", stack.admin_password)
    return tab


@pytest.fixture(scope="module")
def reviewed(stack, admin):
    """An authorised integration that reviews hires, receiving the simulator's webhooks."""
    webhook = stack.sandbox_state()["webhook"]
    output = stack.flask(
        "lever", "integrations", "create", "--subdomain", SUBDOMAIN,
        "--signature-token", webhook["signature_token"], "--admin", "hr.priya",
        "--company", "CEZ-IE", "--review-hires",
    )  # fmt: skip
    integration_id = int(re.search(r"\(id (\d+)\)", output).group(1))
    admin.visit(f"/integrations/lever/{integration_id}/details")
    admin.tab_to("main button:text-is('Authorise')")
    press_and_wait(admin)
    authorise_in_lever(admin, confirm="/lever-sandbox/" not in admin.page.url)
    url = f"{stack.base_url}/cezannehr/api/v4/Lever/webhook/{SUBDOMAIN}"
    stack.sandbox_post("webhook", {"url": url})
    yield SimpleNamespace(integration_id=integration_id, candidates={})
    stack.sandbox_post("webhook", {"url": webhook["url"] or ""})


def _wait_for_pending(tab: Browse, name: str):
    """Reload Pending hires until the candidate's row is there; return the row."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        tab.visit("/hires/pending", check=False)
        row = tab.page.locator("main tbody tr", has_text=name)
        if row.count():
            tab.check()
            return row
        assert time.monotonic() < deadline, f"{name} never became a pending hire"
        time.sleep(0.5)


def _nav_count(tab: Browse) -> str | None:
    badge = tab.page.locator("[data-pending-hires]")
    return badge.get_attribute("data-pending-hires") if badge.count() else None


def _open_pending(tab: Browse, name: str) -> None:
    tab.visit("/hires/pending")
    tab.tab_to(f"main table a:text-is('{name}')")
    press_and_wait(tab)
    tab.check()
    assert tab.page.locator("h1").inner_text() == f"Pending hire: {name}"


def test_01_hires_wait_for_review_and_create_nothing(admin, stack, reviewed):
    for key, name in (("dorothy", "Dorothy Vaughan"), ("hedy", "Hedy Lamarr")):
        hire_new_candidate(stack, reviewed, key, name)
    for name in ("Dorothy Vaughan", "Hedy Lamarr"):
        row = _wait_for_pending(admin, name)
        assert "Waiting for review" in row.inner_text()
    assert _nav_count(admin) == "2"
    admin.visit("/people?q=Vaughan")
    assert "Dorothy Vaughan" not in admin.page.inner_text("main")


def test_02_an_administrator_approves_with_a_correction_once(admin, open_tab, stack, reviewed):
    _open_pending(admin, "Dorothy Vaughan")
    page = admin.page
    person = page.inner_text("section[aria-labelledby=would-person]")
    assert "Dorothy" in person and "dorothy.vaughan@example.com" in person
    # A second tab (another session) opens the same hire before it is approved.
    stale = open_tab()
    stale.sign_in("admin", stack.admin_password)
    _open_pending(stale, "Dorothy Vaughan")
    admin.shot("pending-hire", full_page=True)

    admin.type_into("#known_as", "Dottie")
    admin.tab_to("section[aria-labelledby=approve] button:text-is('Approve')")
    press_and_wait(admin)
    admin.check()
    assert "Approved: Dorothy Vaughan is now in Cezanne HR." in flash_text(admin)
    assert page.locator(".page-head .badge").inner_text() == "Approved"
    assert "Approved by Dana Admin" in page.inner_text("main p.notice")
    assert _nav_count(admin) == "1"

    # The stale tab's Approve creates nothing more, and says so.
    stale.tab_to("section[aria-labelledby=approve] button:text-is('Approve')")
    press_and_wait(stale)
    stale.check()
    assert "already approved by Dana Admin: nothing more was created" in flash_text(stale)

    admin.tab_to("main p.notice a:text-is('Open Dorothy Vaughan')")
    press_and_wait(admin)
    admin.check()
    personal = definitions(admin.page.locator("section[aria-labelledby=personal]"))
    assert (personal["Full Name"], personal["Known As"]) == ("Dorothy Vaughan", "Dottie")
    assert "CEZ-IE" in admin.page.inner_text("section[aria-labelledby=employment]")
    assert admin.page.locator("section[aria-labelledby=employment] tbody tr").count() == 1
    admin.visit("/people?q=Vaughan")
    assert admin.page.locator("main table a", has_text="Dorothy Vaughan").count() == 1


def test_03_an_administrator_rejects_with_a_reason(admin, stack, reviewed):
    _open_pending(admin, "Hedy Lamarr")
    # Without a reason, the form says what to do and nothing changes.
    admin.tab_to("section[aria-labelledby=reject] button:text-is('Reject')")
    press_and_wait(admin)
    [refused] = admin.problems.take()  # Chromium reports the 422 document as a failed resource
    assert "status of 422" in refused
    admin.check()
    assert "Enter the reason." in admin.page.inner_text("section[aria-labelledby=reject]")
    admin.type_into("#reason", "Offer withdrawn before the start date.")
    admin.tab_to("section[aria-labelledby=reject] button:text-is('Reject')")
    press_and_wait(admin)
    admin.check()
    assert "Rejected: nothing was created for Hedy Lamarr." in flash_text(admin)
    assert admin.page.locator(".page-head .badge").inner_text() == "Rejected"
    assert "Offer withdrawn before the start date." in admin.page.inner_text("main p.notice")
    assert admin.page.locator("section[aria-labelledby=approve]").count() == 0
    assert _nav_count(admin) is None

    admin.visit(f"/integrations/lever/{reviewed.integration_id}/log")
    row = admin.page.locator("table tbody tr", has_text="of Hedy Lamarr was rejected")
    assert "by Dana Admin: Offer withdrawn before the start date." in row.inner_text()
    assert "Nothing was created in Cezanne HR." in row.inner_text()
    admin.visit("/people?q=Lamarr")
    assert admin.page.locator("main table a", has_text="Hedy Lamarr").count() == 0
