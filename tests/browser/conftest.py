import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AMPARO_CHROMIUM", "/usr/bin/chromium")
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


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


@pytest.fixture
def phone(browser):
    """A page the size of a cheap Android phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-EC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
