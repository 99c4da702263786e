import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AMPARO_CHROMIUM", "/usr/bin/chromium")
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# What a page may not have: axe's two worst levels (WCAG 2.1 A and AA rules, best practices).
AXE_FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture
def screenshot(tmp_path):
    """Where a browser test saves its picture: docs/img (the README's pictures) only when
    AMPARO_SCREENSHOTS=1, so that an ordinary test run leaves the work tree clean."""

    def path(name: str) -> Path:
        return (DOCS_IMG if os.environ.get("AMPARO_SCREENSHOTS") == "1" else tmp_path) / name

    return path


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # (fixtures, database flush) stay synchronous and safe, so Django's guard is lifted while
    # the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Axe:
    """axe-core in every page of a journey. The vendored script (tests/browser/vendor, never
    served) is added before each page's own scripts; `check()` audits the page on screen, and at
    the end of the test every page the browser landed on must have been checked."""

    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.context.add_init_script(path=str(AXE_JS))
        page.on("framenavigated", self._landed)

    def _landed(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith("http"):
            self.visited.append(frame.url.split("#")[0])

    def check(self) -> None:
        """Fail on any serious or critical accessibility violation of the page on screen."""
        self.page.wait_for_load_state("load")
        results = self.page.evaluate("""() => axe.run(document, {resultTypes: ["violations"]})""")
        url = self.page.url.split("#")[0]
        self.checked.add(url)
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in results["violations"]
            if v["impact"] in AXE_FAILING_IMPACTS
        ]
        assert found == [], f"{url}:\n" + "\n".join(found)

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.visited) if url not in self.checked]


@pytest.fixture
def phone(browser):
    """A page the size of a cheap Android phone (360 px wide), with axe-core loaded: a journey
    calls `page.axe.check()` on every page it lands on (`AXE_FAILING_IMPACTS` fail)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-EC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.axe = Axe(page)
    yield page
    unchecked = page.axe.unchecked()
    context.close()
    assert unchecked == [], "pages the journey visited without an accessibility check"
