"""The HTML report opened in real headless Chromium: charts draw, tables sort and filter,
nothing is fetched, and nothing a hostile name smuggled in runs. Screenshots are saved to
``screenshot_dir`` (see ``tests/browser.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from databorder.report import render


def _open(page: Any, document: dict[str, Any], folder: Path, name: str) -> Any:
    path = folder / f"{name}.html"
    path.write_text(render(document, "html"), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
    return page


@pytest.fixture
def sample_page(browser_page: Any, sample_document: dict[str, Any], tmp_path: Path) -> Any:
    return _open(browser_page, sample_document, tmp_path, "sample-report")


def _visible_rows(page: Any, table: str) -> int:
    count: int = page.locator(f"#{table} tbody tr:visible").count()
    return count


def test_charts_render(sample_page: Any, sample_document: dict[str, Any],
                       screenshot_dir: Path) -> None:
    page = sample_page
    page.wait_for_selector("#sankey svg .sankey-node")
    groups = sample_document["flows"]["groups"]
    external = [g for g in groups if g["recipient"] != "(private or reserved address space)"]
    nodes = page.locator("#sankey svg .sankey-node")
    labels = nodes.locator("text.node-label").all_text_contents()
    assert {g["recipient"] for g in external} <= set(labels)
    assert {g["controlled_from"] or "unknown" for g in external} <= set(labels)
    assert "Payment card number" in labels
    assert page.locator("#sankey svg .sankey-link").count() >= len(external) * 2
    bars = page.locator("#jurisdiction-bars svg .bars .point path")
    assert bars.count() == len({g["controlled_from"] for g in external})
    box = bars.first.bounding_box()
    assert box is not None and box["height"] > 20
    transfers = page.locator("#transfers-sankey svg .sankey-node text.node-label")
    assert {"prohibited", "Payment card number"} <= set(transfers.all_text_contents())
    page.locator("#flow").screenshot(path=screenshot_dir / "report-sankey.png")
    page.locator("#transfers").screenshot(path=screenshot_dir / "report-transfers.png")
    page.locator("#bytes").screenshot(path=screenshot_dir / "report-bytes.png")
    page.screenshot(path=screenshot_dir / "report-top.png")
    assert page.problems == [] and page.outside_requests == []


def test_table_filters(sample_page: Any, sample_document: dict[str, Any],
                       screenshot_dir: Path) -> None:
    page = sample_page
    fields = sample_document["inventory"]["fields"]
    assert _visible_rows(page, "fields-table") == len(fields)
    page.fill("input[data-filter='fields-table']", "payment_card")
    expected = sum(f["category"] == "payment_card" for f in fields)
    assert 0 < expected < len(fields)
    assert _visible_rows(page, "fields-table") == expected
    assert page.text_content("[data-count='fields-table']") == f"{expected} of {len(fields)} rows"
    page.locator("#fields").screenshot(path=screenshot_dir / "report-fields-filtered.png")
    page.fill("input[data-filter='fields-table']", "payment_card orders.csv")
    both = sum(f["category"] == "payment_card" and f["source"].endswith("orders.csv")
               for f in fields)
    assert _visible_rows(page, "fields-table") == both < expected
    page.fill("input[data-filter='fields-table']", "no such thing anywhere")
    assert _visible_rows(page, "fields-table") == 0
    page.fill("input[data-filter='fields-table']", "")
    assert _visible_rows(page, "fields-table") == len(fields)


def test_table_sorts(sample_page: Any, sample_document: dict[str, Any]) -> None:
    page = sample_page
    header = page.locator("#destinations-table thead th", has_text="bytes out")
    column = "#destinations-table tbody tr td:nth-child(8)"
    header.locator("button").click()
    ascending = [int(v) for v in page.locator(column).evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")]
    assert ascending == sorted(d["bytes_out"] for d in sample_document["flows"]["destinations"])
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    descending = [int(v) for v in page.locator(column).evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")]
    assert descending == sorted(ascending, reverse=True)
    assert descending != ascending
    page.locator("#findings-table thead th", has_text="rule").locator("button").click()
    rules = page.locator("#findings-table tbody tr td:nth-child(3)").all_inner_texts()
    assert [r.split()[0] for r in rules] == sorted(
        f["rule"] for f in sample_document["findings"]["findings"])


def test_no_request_leaves_the_file(sample_page: Any) -> None:
    page = sample_page
    page.locator("#sankey svg .sankey-node").first.hover(force=True)
    page.locator("#jurisdiction-bars svg .point").first.hover(force=True)
    page.wait_for_timeout(300)
    assert page.outside_requests == []
    assert page.problems == []


HOSTILE_RECIPIENT = '<a href="https://evil.example/">Amazon</a> & <b>co</b>'


def test_hostile_names_do_not_run(browser_page: Any, small_document: dict[str, Any],
                                  tmp_path: Path, screenshot_dir: Path) -> None:
    small_document["flows"]["groups"][1]["recipient"] = HOSTILE_RECIPIENT
    page = _open(browser_page, small_document, tmp_path, "hostile")
    page.wait_for_selector("#sankey svg .sankey-node")
    assert page.dialogs == []
    # plotly reads <a>/<b> in chart text as markup: the name must be drawn as written
    assert page.locator("#sankey svg a").count() == 0
    labels = page.locator("#sankey svg .sankey-node text.node-label").all_text_contents()
    assert HOSTILE_RECIPIENT in labels
    assert page.locator("#fields-table script").count() == 0
    assert page.locator("#destinations-table img").count() == 0
    cells = page.locator("#fields-table tbody td:nth-child(2)").all_text_contents()
    assert "<script>alert('x')</script>" in cells
    names = page.locator("#destinations-table tbody td:nth-child(2)").all_text_contents()
    assert "<img src=x onerror=alert(2)>.example" in names
    assert page.text_content("#run-status") == "incomplete"
    page.screenshot(path=screenshot_dir / "report-hostile.png", full_page=True)
    assert page.outside_requests == [] and page.problems == []


def test_csp_blocks_a_script_that_escaping_missed(browser_page: Any,
                                                  small_document: dict[str, Any],
                                                  tmp_path: Path) -> None:
    """Defence in depth: a script planted in the file after rendering does not run."""
    html = render(small_document, "html").replace(
        "<main>", "<main><script>window.planted = true; alert('planted')</script>", 1)
    path = tmp_path / "planted.html"
    path.write_text(html, encoding="utf-8")
    page = browser_page
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='true']")
    assert page.evaluate("window.planted === undefined")
    assert page.dialogs == []
    assert any("Content Security Policy" in problem for problem in page.problems)
