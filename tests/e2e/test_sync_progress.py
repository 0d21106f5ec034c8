"""progress.js in Chromium: a running sync's progress updates itself, then stops.

The page and the progress endpoint are served by Playwright's router (no live stack), so the
answers are chosen by the test: the script must show each new text in the polite live region,
drop the Refresh link when the run has ended, and ask no more.
"""

import json
import time
from pathlib import Path

import pytest

from tests.e2e.browsing import Browse

ORIGIN = "http://app.test"
SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "progress.js"
PAGE = """<!doctype html><html lang="en-GB">
<head><meta charset="utf-8"><title>Details</title></head><body><main>
<h1>Details</h1>
<p class="sync-progress" role="status" aria-live="polite" data-progress-url="/progress"
   data-finished="false">Syncing:
  <span data-progress-text>reading the list from Lever…</span>
  <a href="/page">Refresh</a></p>
<script type="module" src="/static/js/progress.js"></script>
</main></body></html>"""
ANSWERS = [
    {"finished": False, "text": "50 of 120 opportunities seen, 12 hires stored…"},
    {"finished": True, "text": "finished. Found 120 hires in Lever: 117 stored, 3 already stored."},
]


@pytest.fixture
def tab(browser, tmp_path):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    asked = []

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/page":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=PAGE)
        elif path == "/static/js/progress.js":
            route.fulfill(status=200, content_type="text/javascript", body=SCRIPT.read_text())
        elif path == "/progress":
            asked.append(time.monotonic())
            answer = ANSWERS[min(len(asked), len(ANSWERS)) - 1]
            route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))
        else:
            route.fulfill(status=404, body="")

    context.route(f"{ORIGIN}/**", serve)
    browsing = Browse(context, ORIGIN, tmp_path)
    browsing.asked = asked
    yield browsing
    context.close()


def test_progress_updates_every_two_seconds_until_the_run_ends(tab):
    page = tab.visit("/page", check=False)  # axe, at the end: under load it can outlast 2 s
    status = page.locator(".sync-progress")
    text = status.locator("[data-progress-text]")
    assert text.text_content() == "reading the list from Lever…"
    page.wait_for_function(
        "document.querySelector('[data-progress-text]').textContent.startsWith('50 of 120')"
    )
    assert status.locator("a").count() == 1  # still running: Refresh stays
    page.wait_for_function("document.querySelector('.sync-progress').dataset.finished === 'true'")
    assert text.text_content().startswith("finished. Found 120 hires in Lever")
    assert status.locator("a").count() == 0 and status.get_attribute("aria-live") == "polite"
    assert len(tab.asked) == 2 and tab.asked[1] - tab.asked[0] >= 1.8  # every 2 s
    page.wait_for_timeout(2500)
    assert len(tab.asked) == 2  # ended: no more polling
    tab.check()
