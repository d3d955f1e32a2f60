"""The HTML report as a file: self-contained, escaped, and honest about what it links.

What the page does when opened is tested in a real browser in ``test_html_browser.py``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from databorder.report import render
from databorder.report.summary import UNOBSERVED_NODE


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def _chart_data(html: str) -> dict[str, Any]:
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html,
                      re.DOTALL)
    assert block is not None
    loaded: dict[str, Any] = json.loads(block.group(1))
    return loaded


def test_nothing_is_loaded_from_elsewhere(sample_document: dict[str, Any]) -> None:
    html = render(sample_document, "html")
    tags = _tags(html)
    assert [t for t, a in tags if t in ("link", "iframe", "img", "object", "embed")] == []
    scripts = [a for t, a in tags if t == "script"]
    assert len(scripts) == 3 and all("src" not in a for a in scripts)
    policy = next(a["content"] for t, a in tags
                  if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert policy is not None and policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "connect-src" not in policy  # default-src 'none' forbids every connection


def test_hostile_names_are_escaped(small_document: dict[str, Any]) -> None:
    html = render(small_document, "html")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;.example" in html
    assert [t for t, _ in _tags(html)].count("script") == 3


def test_sankey_links_only_what_findings_name(small_document: dict[str, Any]) -> None:
    flow = _chart_data(render(small_document, "html"))["sankey"]
    links = {(flow["labels"][s], flow["labels"][t])
             for s, t in zip(flow["sources"], flow["targets"], strict=True)}
    # F-1 names email and phone for Alibaba (by name); F-2 names payment_card for amazon (by id)
    assert ("Email address", "Alibaba Group Holding Limited") in links
    assert ("Telephone number", "Alibaba Group Holding Limited") in links
    assert ("Payment card number", "Amazon.com, Inc.") in links
    assert ("Payment card number", "Alibaba Group Holding Limited") not in links
    assert ("Alibaba Group Holding Limited", "CN") in links
    assert (UNOBSERVED_NODE, "(unattributed)") in links
    assert {(c, UNOBSERVED_NODE) for c in ("Email address", "Telephone number",
                                           "Payment card number")} <= links
    assert "(private or reserved address space)" not in flow["labels"]
    assert flow["observed_links"] == 3
    cn = flow["labels"].index("CN")
    assert flow["colours"][cn] == "#c0392b"


def test_sankey_without_findings_links_no_category_to_a_recipient(
        sample_document: dict[str, Any]) -> None:
    sample_document["findings"] = None
    html = render(sample_document, "html")
    flow = _chart_data(html)["sankey"]
    kinds = dict(zip(flow["labels"], flow["kinds"], strict=True))
    for source, target in zip(flow["sources"], flow["targets"], strict=True):
        if flow["kinds"][source] == "category":
            assert flow["labels"][target] == UNOBSERVED_NODE
    assert sum(kind == "category" for kind in kinds.values()) == \
        len(sample_document["inventory"]["categories"])
    assert "Egress logs do not say which category went to which recipient" in html


def test_bytes_by_jurisdiction_add_up(sample_document: dict[str, Any]) -> None:
    bars = _chart_data(render(sample_document, "html"))["jurisdictions"]
    external = [g for g in sample_document["flows"]["groups"]
                if g["recipient"] != "(private or reserved address space)"]
    assert sum(bars["bytes"]) == sum(g["bytes_out"] for g in external)
    assert bars["bytes"] == sorted(bars["bytes"], reverse=True)


def test_summary_states_the_headline_facts(small_document: dict[str, Any]) -> None:
    html = render(small_document, "html")
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    assert "This run is incomplete" in text
    assert "≥ 118 persons" in text
    assert "Egress to 1 recipient controlled from a country of concern: Alibaba Group Holding " \
           "Limited (CN, 1.2 MB)" in text
    assert "critical DSP001 Email addresses reach a recipient" in text
    assert "2 recipients of egress, by ultimate parent (and 1 unattributed destination)" in text
    assert "2 countries the recipients are controlled from" in text


def test_recipients_only_findings_name_are_listed_not_drawn(
        assessed_document: dict[str, Any]) -> None:
    html = render(assessed_document, "html")
    flow = _chart_data(html)["sankey"]
    findings = assessed_document["findings"]["findings"]
    recipients = {g["recipient"] for g in assessed_document["flows"]["groups"]}
    declared = {f["counterparty"] for f in findings} - recipients
    assert declared == {"Skyline Location Analytics Pte. Ltd."}
    assert not declared & set(flow["labels"])
    assert flow["not_drawn"] == sorted(declared)
    assert all(name in html for name in declared)
    assert 'id="not-drawn"' in html


def test_undecided_findings_link_no_category(sample_document: dict[str, Any]) -> None:
    """A finding with insufficient facts (a rules engine may name every inventoried category
    for an egress recipient it cannot judge) is not a link the chart may draw."""
    categories = sorted(sample_document["inventory"]["categories"])
    sample_document["findings"]["findings"] = [{
        "id": "F-9", "regime": "US-DOJ-DSP", "rule": "PADFA000", "name": "padfa.scope",
        "title": "Is the recipient a data broker?", "outcome": "insufficient_facts",
        "severity": "medium", "transfer": "egress to Alphabet Inc.",
        "counterparty": "Alphabet Inc.", "categories": categories, "evidence": [],
        "actions": [], "questions": ["Does the recipient sell data?"], "citations": []}]
    flow = _chart_data(render(sample_document, "html"))["sankey"]
    assert "Alphabet Inc." in flow["labels"]
    assert flow["observed_links"] == 0
    for source, target in zip(flow["sources"], flow["targets"], strict=True):
        if flow["kinds"][source] == "category":
            assert flow["labels"][target] == UNOBSERVED_NODE
    sample_document["findings"]["findings"][0]["outcome"] = "restricted"
    decided = _chart_data(render(sample_document, "html"))["sankey"]
    assert decided["observed_links"] == len(categories)


def test_transfers_chart_shows_what_decided_findings_name(
        small_document: dict[str, Any]) -> None:
    flow = _chart_data(render(small_document, "html"))["transfers"]
    links = {(flow["labels"][s], flow["labels"][t], v) for s, t, v in
             zip(flow["sources"], flow["targets"], flow["values"], strict=True)}
    assert links == {
        ("Email address", "Alibaba Group Holding Limited", 1.0),
        ("Telephone number", "Alibaba Group Holding Limited", 1.0),
        ("Alibaba Group Holding Limited", "prohibited", 2.0),
        ("Payment card number", "amazon", 1.0),
        ("amazon", "restricted", 1.0),
    }  # F-3 (insufficient facts, no categories) is left out
    assert flow["colours"][flow["labels"].index("prohibited")] == "#8e1b10"
