"""The text formats on a fixed document (snapshots) and on a real run, and malformed documents.

Snapshots live in ``snapshots/``; after an intended change, rewrite them with
``DATABORDER_UPDATE_SNAPSHOTS=1 pytest tests/report`` and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from databorder.errors import DataborderError, ReportError
from databorder.report import FORMATS, render

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@pytest.mark.parametrize(("fmt", "name"), [("sarif", "small.sarif"), ("csv", "small-fields.csv"),
                                           ("csv-destinations", "small-destinations.csv"),
                                           ("csv-findings", "small-findings.csv"),
                                           ("md", "small.md")])
def test_snapshot(fmt: str, name: str, small_document: dict[str, Any]) -> None:
    rendered = render(small_document, fmt)
    snapshot = SNAPSHOTS / name
    if os.environ.get("DATABORDER_UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_bytes(rendered.encode("utf-8"))
    assert rendered == snapshot.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_is_stable(fmt: str, sample_document: dict[str, Any]) -> None:
    assert render(sample_document, fmt) == render(json.loads(json.dumps(sample_document)), fmt)


def test_json_is_the_document_itself(sample_document: dict[str, Any]) -> None:
    assert json.loads(render(sample_document, "json")) == sample_document


def test_fields_csv_has_one_row_per_field(sample_document: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(render(sample_document, "csv"))))
    fields = sample_document["inventory"]["fields"]
    assert len(rows) == len(fields) > 30
    assert [(r["source"], r["field"], r["category"]) for r in rows] == [
        (f["source"], f["field"], f["category"]) for f in fields]
    assert [int(r["distinct"]) for r in rows] == [f["distinct"] for f in fields]
    titles = {key: value["title"] for key, value in sample_document["inventory"]["categories"]
              .items()}
    assert all(r["category_title"] == titles[r["category"]] for r in rows)


def test_destinations_and_findings_csv(sample_document: dict[str, Any]) -> None:
    destinations = list(csv.DictReader(io.StringIO(render(sample_document, "csv-destinations"))))
    assert len(destinations) == len(sample_document["flows"]["destinations"])
    assert sum(int(d["bytes_out"]) for d in destinations) == \
        sample_document["flows"]["totals"]["bytes_out"]
    findings = list(csv.DictReader(io.StringIO(render(sample_document, "csv-findings"))))
    assert [f["severity"] for f in findings] == ["critical", "high", "high", "medium", "low",
                                                 "info"]


def test_csv_defuses_spreadsheet_formulas(small_document: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(render(small_document, "csv"))))
    hostile = next(r for r in rows if "HYPERLINK" in r["field"])
    assert hostile["field"].startswith("'=")
    assert hostile["masked_samples"] == "'+44 **** ***456"
    assert all(not value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_markdown_keeps_hostile_names_inert(small_document: dict[str, Any]) -> None:
    text = render(small_document, "md")
    assert "<script>" not in text and "&lt;script&gt;alert('x')&lt;/script&gt;" in text
    table = [line for line in text.splitlines() if "HYPERLINK" in line]
    assert len(table) == 1
    # the pipe in the field name is escaped: the row has as many cell separators as the header
    header = next(line for line in text.splitlines() if line.startswith("| source |"))
    unescaped = table[0].replace("\\|", "")
    assert unescaped.count("|") == header.count("|")


def test_markdown_summary_names_what_matters(small_document: dict[str, Any]) -> None:
    text = render(small_document, "md")
    assert "This run is **incomplete**" in text
    assert "Countries of concern: Alibaba Group Holding Limited (CN)." in text
    assert "at least 118 persons" in text
    assert "~39" in text  # an estimated distinct count says so


def test_unknown_format_is_refused(small_document: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match="unknown report format 'pdf'; choose one of html"):
        render(small_document, "pdf")


def _break(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    *parents, last = path.split(".")
    target: Any = document
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(("path", "value", "message"), [
    ("schema", "databorder.run/2", "schema: expected 'databorder.run/1', got 'databorder.run/2'"),
    ("run.id", "3", "run.id: expected an integer, got a string"),
    ("run.status", "paused", "run.status: 'paused' is not one of complete, running"),
    ("run.command", KeyError, "run.command: missing"),
    ("inventory.schema", "databorder.flows/1", "inventory.schema: expected"),
    ("inventory.fields.2.rows", "40", "inventory.fields[2].rows: expected an integer, got a "
                                      "string"),
    ("inventory.fields.0.masked_samples", "4111", "inventory.fields[0].masked_samples: expected "
                                                  "a list of strings"),
    ("flows.groups", {"a": 1}, "flows.groups: expected a list, got an object"),
    ("flows.destinations.1.country_of_concern", "yes", "flows.destinations[1]."
                                                       "country_of_concern: expected true"),
    ("findings.findings.0.severity", "urgent", "findings.findings[0].severity: 'urgent' is not"),
    ("findings.findings.1.citations.0.instrument", None, "citations[0].instrument: expected a "
                                                         "string, got null"),
])
@pytest.mark.parametrize("fmt", ["html", "sarif", "md", "json"])
def test_malformed_documents_fail_with_one_line(path: str, value: object, message: str, fmt: str,
                                                small_document: dict[str, Any]) -> None:
    with pytest.raises(ReportError) as raised:
        render(_break(small_document, path, value), fmt)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("run document: ")


@pytest.mark.parametrize("document", [None, [], "x", {"schema": "databorder.run/1"},
                                      {"schema": "databorder.run/1", "run": []}])
def test_not_a_run_document(document: Any) -> None:
    with pytest.raises(DataborderError, match="^run document: "):
        render(document, "md")


def test_stages_that_did_not_run(small_document: dict[str, Any]) -> None:
    bare = {**small_document, "inventory": None, "flows": None, "findings": None}
    text = render(bare, "md")
    assert "Data at rest: not scanned in this run." in text
    assert "Egress: no logs read in this run." in text
    assert render(bare, "csv").splitlines() == [render(bare, "csv").splitlines()[0]]
    html = render(bare, "html")
    assert "No data at rest was scanned in this run." in html
    assert 'id="sankey"' not in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_name_only_destination_renders(fmt: str, small_document: dict[str, Any]) -> None:
    # a Squid combined log names a host but logs no server address (ip_scope "unknown")
    destination = small_document["flows"]["destinations"][0]
    _break(small_document, "flows.destinations.0.dst_ip", None)
    _break(small_document, "flows.destinations.0.ip_scope", "unknown")
    rendered = render(small_document, fmt)
    if fmt in ("html", "csv-destinations", "json"):
        assert destination["name"] in rendered
