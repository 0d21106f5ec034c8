"""The page checks the browser tests rely on do fail when a page is broken."""

import pytest

from tests.e2e.browsing import Browse

GOOD_PAGE = (
    "<html lang='en'><head><title>Fine</title></head>"
    "<body><main><h1>Fine</h1>{}</main></body></html>"
)


@pytest.fixture
def blank_tab(browser, tmp_path):
    context = browser.new_context()
    yield Browse(context, "", tmp_path)
    context.close()


def test_a_clean_page_passes(blank_tab):
    blank_tab.page.set_content(GOOD_PAGE.format("<p>All good.</p>"))
    blank_tab.check()


def test_serious_accessibility_violations_fail_the_check(blank_tab):
    blank_tab.page.set_content(GOOD_PAGE.format("<img src='data:,'><input type='text'>"))
    with pytest.raises(AssertionError, match=r"\[critical\] image-alt") as failure:
        blank_tab.check()
    assert "[critical] label" in str(failure.value)


def test_script_errors_fail_the_check(blank_tab):
    script = "<script>console.error('picker broke'); undefinedFunction();</script>"
    blank_tab.page.set_content(GOOD_PAGE.format(script))
    with pytest.raises(AssertionError) as failure:
        blank_tab.check()
    assert "console error from the page: picker broke" in str(failure.value)
    assert "uncaught" in str(failure.value) and "undefinedFunction" in str(failure.value)
