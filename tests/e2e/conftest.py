"""Fixtures for the browser tests: the live stack (session) and Chromium (module).

Skipped, with the reason printed, only when Chromium (or Playwright) is not installed.
"""

import os
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_missing
from tests.e2e.browsing import VIEWPORT, Browse, screenshot_dir
from tests.e2e.live_stack import LiveStack, TestDatabase

_skip_reason: list[str] = []


def _missing_browser() -> str | None:
    """Say why the browser tests cannot run here, or None when they can."""
    missing = chromium_missing()
    if missing:
        return missing
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


def pytest_terminal_summary(terminalreporter):
    if _skip_reason:
        terminalreporter.write_line(f"end-to-end browser tests skipped: {_skip_reason[0]}")


@pytest.fixture(scope="session")
def browser_available():
    reason = _missing_browser()
    if reason:
        _skip_reason.append(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def stack(browser_available, tmp_path_factory):
    """The app under gunicorn on a free port, its own database, and (when REDIS_URL is set)
    a private Redis with a real RQ worker; else in-process jobs."""
    workdir = tmp_path_factory.mktemp("e2e")
    live = LiveStack(
        workdir=workdir,
        database=TestDatabase(os.environ.get("TEST_DATABASE_URL"), workdir),
    )
    try:
        live.prepare_redis(os.environ.get("REDIS_URL"))
        live.prepare_database()
        live.start_server()
        live.start_worker()
        yield live
    except BaseException:
        for process in live.processes:
            print(f"--- {process.name} log ---\n{process.log_tail()}")
        raise
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser(browser_available):
    """Chromium for one module. Playwright's sync API allows one driver at a time, so it stops
    with the module and other test folders can start their own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path | None:
    return screenshot_dir()


@pytest.fixture(scope="module")
def open_tab(browser, stack, shots):
    """Open a tab in a fresh browser context (its own cookies): open_tab(viewport=...)."""
    tabs: list[Browse] = []

    def open_(viewport=VIEWPORT) -> Browse:
        context = browser.new_context(viewport=viewport, locale="en-GB")
        context.set_default_timeout(10_000)
        tabs.append(Browse(context, stack.base_url, shots))
        return tabs[-1]

    yield open_
    # Errors after a module's last check would otherwise go unnoticed.
    leftover = [error for tab in tabs for error in tab.problems.take()]
    for tab in tabs:
        tab.context.close()
    if leftover:
        pytest.fail("JavaScript errors after the last check:\n" + "\n".join(leftover))
