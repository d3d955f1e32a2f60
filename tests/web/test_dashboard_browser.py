"""The dashboard in real headless Chromium, served by a real ``databorder serve``.

The browser signs in with the token link, follows the links from the runs to a run's report
(whose charts must draw), and compares two runs; every request must go to the dashboard itself.
Screenshots are saved to ``screenshot_dir`` (see ``tests/browser.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import TOKEN


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.elsewhere = []
    opened.problems = []
    context.on("request", lambda request: None if request.url.startswith(
        (live_server, "data:", "blob:", "about:")) else opened.elsewhere.append(request.url))
    opened.on("pageerror", lambda error: opened.problems.append(str(error)))
    opened.on("console", lambda message: opened.problems.append(message.text)
              if message.type == "error" else None)
    yield opened
    context.close()


def test_sign_in_browse_runs_and_open_a_report(page: Any, live_server: str,
                                               screenshot_dir: Path) -> None:
    denied = page.goto(f"{live_server}/")
    assert denied is not None and denied.status == 401
    page.wait_for_load_state("networkidle")  # the refused favicon request too
    page.problems.clear()  # the browser logs refused loads as console errors
    page.goto(f"{live_server}/?token={TOKEN}")
    rows = page.locator("#runs tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("td").nth(2).text_content() == "complete"
    page.screenshot(path=screenshot_dir / "dashboard-runs.png")

    page.goto(f"{live_server}/")  # the cookie now carries the token
    page.click("#runs a[href='/runs/1']")
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
    page.wait_for_selector("#sankey svg .sankey-node")
    labels = page.locator("#sankey svg .sankey-node text.node-label").all_text_contents()
    assert "Alphabet Inc." in labels and "Amazon.com, Inc." in labels
    assert page.locator("#jurisdiction-bars svg .bars .point path").count() >= 1
    rows = page.locator("#destinations-table tbody tr:visible")
    every = rows.count()
    page.fill("input[data-filter='destinations-table']", "Amazon")
    assert 0 < rows.count() < every
    page.screenshot(path=screenshot_dir / "dashboard-run-1.png", full_page=False)
    page.click("text=all runs")
    assert page.url == f"{live_server}/"
    assert page.elsewhere == [] and page.problems == []


def test_compare_two_runs(page: Any, live_server: str, screenshot_dir: Path) -> None:
    page.goto(f"{live_server}/?token={TOKEN}")
    page.fill("input[name='a']", "1")
    page.fill("input[name='b']", "2")
    page.click("form.compare button")
    page.wait_for_url("**/diff?a=1&b=2")
    assert page.locator("h1").text_content() == "Run 1 → run 2"
    assert page.locator("h2").count() > 0
    page.screenshot(path=screenshot_dir / "dashboard-diff.png", full_page=True)
    assert page.elsewhere == [] and page.problems == []
