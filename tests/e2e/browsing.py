"""Browser helpers: a page that checks itself (axe, console errors) and keyboard moves."""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
LOAD_AXE = AXE_SOURCE + "\n;true"
BLOCKING_IMPACTS = {"serious", "critical"}
VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_TABS = 60

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(" "), html: n.html,
                                          summary: n.failureSummary})),
  }));
}"""


# What axe reads of a page: its markup (CSRF tokens aside: new on every page), what the fields
# hold now (typed, checked, chosen), which element has the focus, and the window's size.
SNAPSHOT = """() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll('input[name="csrf_token"]').forEach((i) => i.removeAttribute('value'));
  const fields = [...document.querySelectorAll('input:not([name="csrf_token"]), select, textarea')];
  const state = fields.map((f) => [f.value, f.checked, f.selectedIndex].join('|'));
  const focus = [...document.querySelectorAll('*')].indexOf(document.activeElement);
  return [window.innerWidth + 'x' + window.innerHeight, focus, state.join('\\n'),
          copy.outerHTML].join('\\n');
}"""
# Snapshots axe passed: the same page in the same state gives the same verdict, so a story that
# comes back to an unchanged page does not run axe on it again.
_PASSED: set[str] = set()


def screenshot_dir() -> Path | None:
    """Where screenshots go: E2E_SCREENSHOTS (e.g. docs/screenshots). None without it: then no
    screenshot is taken (each costs the browser a full paint and a PNG)."""
    chosen = os.environ.get("E2E_SCREENSHOTS")
    if not chosen:
        return None
    path = Path(chosen)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Problems:
    """Console errors and uncaught exceptions seen by a browser context, with their page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))

    def _console(self, page, msg) -> None:
        source = msg.location.get("url") or "the page"
        # Chromium asks for /favicon.ico on its own, once per browser and not in step with any
        # page; the app has no icon (reported), so that one 404 cannot be pinned on a page.
        if msg.type == "error" and not source.endswith("/favicon.ico"):
            self.errors.append(f"{page.url}: console error from {source}: {msg.text}")

    def take(self) -> list[str]:
        found, self.errors = self.errors, []
        return found


class Browse:
    """One signed-in (or anonymous) browser tab that checks every page it settles on."""

    def __init__(self, context, base_url: str, shots: Path | None):
        self.context = context
        self.base_url = base_url
        self.shots = shots
        self.problems = Problems()
        self.checked: list[str] = []
        self.page = context.new_page()
        self.problems.watch(self.page)
        # Destructive forms ask window.confirm; the user says OK.
        self.page.on("dialog", lambda dialog: dialog.accept())

    def visit(self, path: str, check: bool = True):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        if check:
            self.check()
        return self.page

    def check(self) -> None:
        """Fail on console errors and on serious or critical axe violations on this page."""
        self.page.wait_for_load_state("load")
        # Evaluated over the DevTools protocol, so the app's CSP (default-src 'self') stays on and
        # any inline script the app adds still shows up as a console error.
        before = self._snapshot()
        if before not in _PASSED:
            if not self.page.evaluate("typeof window.axe !== 'undefined'"):
                self.page.evaluate(LOAD_AXE)
            found = [v for v in self.page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]
            assert not found, f"axe on {self.page.url}:\n" + _describe(found)
            if self._snapshot() == before:  # a page that changed meanwhile: not this state
                _PASSED.add(before)
        errors = self.problems.take()
        assert not errors, "JavaScript errors:\n" + "\n".join(errors)
        self.checked.append(self.page.url)

    def _snapshot(self) -> str:
        return hashlib.sha256(self.page.evaluate(SNAPSHOT).encode()).hexdigest()

    def shot(self, name: str, full_page: bool = False) -> Path | None:
        """Save a screenshot for the README, when E2E_SCREENSHOTS asks for them."""
        if self.shots is None:
            return None
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def sign_in(self, username: str, password: str) -> None:
        """Sign in with the keyboard only: type, Tab, type, Enter."""
        self.visit("/auth/login")
        self.type_into("#username", username)
        self.type_into("#password", password)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        assert "/auth/login" not in self.page.url, self.page.inner_text("main")
        self.check()

    def sign_out(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign out").click()

    # -- keyboard ------------------------------------------------------------------------

    def focused(self) -> str:
        """Describe the focused element: its id, else its tag and text."""
        return self.page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.id || (e.tagName + ':' + (e.textContent || e.value || '').trim()); }"
        )

    def tab_to(self, selector: str, backwards: bool = False) -> None:
        """Press Tab until the element matching selector has focus; fail if it never does."""
        target = self.page.locator(selector)
        target.wait_for(state="visible")
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_TABS):
            if target.evaluate("(el) => el === document.activeElement"):
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"{selector} cannot be reached with {key} (stuck on {self.focused()})")

    def type_into(self, selector: str, text: str) -> None:
        """Tab to a field, clear it and type, as a keyboard user would."""
        self.tab_to(selector)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def pick(self, selector: str, text: str, expected_label: str, open_shot=None) -> str:
        """Type into a picker, then choose the suggestion labelled expected_label (ArrowDown,
        Enter); return the value it put in the field. open_shot names a screenshot of the list."""
        self.type_into(selector, text)
        field = self.page.locator(selector)
        listbox = self.page.locator("#" + field.get_attribute("aria-controls"))
        listbox.locator("[role=option]", has_text=expected_label).first.wait_for()
        assert field.get_attribute("aria-expanded") == "true"
        labels = listbox.locator("[role=option]").all_inner_texts()
        position = next(i for i, label in enumerate(labels) if expected_label in label)
        for _ in range(position + 1):
            self.page.keyboard.press("ArrowDown")
        active = field.get_attribute("aria-activedescendant")
        assert active, "ArrowDown highlighted no suggestion"
        assert expected_label in self.page.locator("#" + active).inner_text()
        if open_shot:
            self.shot(open_shot)
        self.page.evaluate("() => { window.pickerProbe = true; }")
        self.page.keyboard.press("Enter")
        assert listbox.is_hidden(), "the suggestions stayed open after Enter"
        self.page.wait_for_timeout(250)  # a form submitted by that Enter would have left by now
        assert self.page.evaluate("() => window.pickerProbe === true"), "Enter submitted the form"
        return field.input_value()


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
        lines += [f"    {n['target']}: {n['html'][:200]}\n      {n['summary']}" for n in v["nodes"]]
    return "\n".join(lines)
