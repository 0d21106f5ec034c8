"""The Chromium the browser tests drive, and its flags.

Playwright runs headless Chromium as Chromium's headless shell (the "old" headless mode) unless
told otherwise. Debian packages it as chromium-headless-shell, from the same source and version
as its chromium: the same engine renders the pages, for about half the full browser's CPU per
start and per navigation, and none while a page sits idle. On two cores the browser suites wait
mostly for that CPU. Without the shell the full browser runs the same tests; E2E_CHROMIUM names
another binary.
"""

import os
import shutil
from pathlib import Path

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
FULL_BROWSER = "/usr/bin/chromium"
CHROMIUM = os.environ.get("E2E_CHROMIUM") or (
    HEADLESS_SHELL if Path(HEADLESS_SHELL).is_file() else FULL_BROWSER
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_missing() -> str | None:
    """Say why no Chromium can be launched here, or None when one can."""
    if Path(CHROMIUM).is_file() or shutil.which(CHROMIUM):
        return None
    return (
        f"no Chromium at {CHROMIUM} (apt-get install chromium-headless-shell, or chromium, "
        "or set E2E_CHROMIUM)"
    )
