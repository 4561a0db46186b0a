"""Staff pages in a real browser: Playwright for Python driving Debian's ``chromium``.

Never a browser download: the tests launch whatever ``chromium`` is on the PATH (``.ci/run``
installs Debian's package when it is missing). Without it they skip, except in CI, where they
fail (tests/real_services.py). Screenshots go to ``BROWSER_SCREENSHOTS`` if set, else to a
directory under pytest's tmp_path; look at them before calling a page done.

Playwright's sync API runs an event loop in the test's thread, and Django refuses the ORM
while one runs there; so the ``page`` fixture starts the browser only after the test's data
exists (its fixtures come first) and stops it before the database is flushed, and the test's
body talks to the live server through the browser only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.real_services import require

VIEWPORT = {"width": 1366, "height": 900}


def chromium_path() -> str:
    path = shutil.which("chromium")
    require(path is not None, "Debian's chromium (apt-get install chromium; never a Playwright download)")
    return path


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    directory = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def shoot(request, screenshots):
    """``shoot(page, "name")``: a full-page PNG named after the test, returned as its path."""

    prefix = request.node.name.replace("[", "-").replace("]", "")

    def take(page, name: str) -> Path:
        path = screenshots / f"{prefix}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    take.directory, take.prefix = screenshots, prefix
    return take


@pytest.fixture
def browser_page(request, live_server):
    """A fresh chromium page (English first, as a browser set to English sends), started last."""
    executable = chromium_path()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        context = browser.new_context(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.live_server_url = live_server.url
        try:
            yield page
        finally:
            context.close()
            browser.close()
