"""Real headless Chromium for browser tests: Debian's ``/usr/bin/chromium`` driven by Playwright.

Registered once for the whole suite by ``pytest_plugins = ["browser"]`` in ``tests/conftest.py``
(``tests/`` is on ``sys.path`` because that conftest lives there); importing the fixtures into
several conftest files would define them twice, and two Playwright instances cannot run at once.

- ``browser`` (session): the launched Chromium. Never ``playwright install``: the system browser
  is used, installed by ``make browser`` (``apt-get install chromium``). Without it, or without
  the ``playwright`` package, the tests skip with the reason shown; with
  ``DATABORDER_REQUIRE_BROWSER_TESTS=1`` (as ``.ci/run`` sets) they fail instead.
- ``browser_page`` (function): a fresh page in a fresh context whose every request is checked:
  ``file:``, ``data:``, ``blob:`` and ``about:`` URLs pass, anything else is aborted and recorded
  in ``page.outside_requests`` (a list the test asserts empty); console errors and uncaught page
  errors are recorded in ``page.problems``; dialogs (``alert``) are recorded in ``page.dialogs``
  and dismissed.
- ``screenshot_dir``: where tests save screenshots: ``$DATABORDER_SCREENSHOT_DIR`` if set,
  else ``screenshots/`` under pytest's base temporary directory (printed at the end of a run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("DATABORDER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _unavailable(reason: str) -> None:
    if os.environ.get("DATABORDER_REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"browser tests required but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (run `make browser` as root to install it)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    page = context.new_page()
    page.outside_requests = []
    page.problems = []
    page.dialogs = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL_SCHEMES):
            request_route.continue_()
        else:
            page.outside_requests.append(url)
            request_route.abort()

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: None if request.url.startswith(LOCAL_SCHEMES)
            else page.outside_requests.append(request.url))
    page.on("console", lambda message: page.problems.append(f"console {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("dialog", on_dialog)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("DATABORDER_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
