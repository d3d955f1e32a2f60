"""The dashboard's pages, rendered on the server."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_home_lists_runs_with_links(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/runs/1"' in page.text and 'href="/runs/2"' in page.text
    assert "<script" not in page.text.split("<main>")[0]


def test_run_page_is_the_report_with_a_way_back(client: TestClient) -> None:
    page = client.get("/runs/1")
    assert page.status_code == 200
    assert '<a href="/">&larr; all runs</a>' in page.text
    assert page.text.index("all runs") > page.text.index("<body")


def test_diff_page(client: TestClient) -> None:
    page = client.get("/diff", params={"a": 1, "b": 2})
    assert page.status_code == 200
    assert "Run 1 → run 2" in page.text
    assert "Only run 1 has flows: what it holds shows as gone." in page.text
    recipients = page.text.split('data-section="recipients"')[1].split("</table>")[0]
    assert '<tr class="gone"><td>−</td>\n<td>Alphabet Inc.</td><td>US</td>' in recipients
    assert '<tr class="new">' not in recipients
    assert "customers.parquet" in page.text.split('data-section="fields"')[1]
