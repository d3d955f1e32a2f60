"""``render(document, fmt)``: a run document (``databorder.run/1``) as one report format.

The document is read and checked once (``model.read_run_document``); a malformed one raises
ReportError naming the key at fault before any output exists. Each format's module is imported
only when asked for (the HTML one brings Jinja2 and plotly.js).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from databorder.atomic import write_text_atomically
from databorder.errors import ReportError
from databorder.report.model import RunReport, read_run_document

FORMATS = ("html", "json", "sarif", "csv", "csv-destinations", "csv-findings", "md")
"""``csv`` is one row per inventoried field; the two others one per destination or finding."""

EXTENSIONS = {"html": ".html", "json": ".json", "sarif": ".sarif", "csv": ".csv",
              "csv-destinations": ".csv", "csv-findings": ".csv", "md": ".md"}


def render(document: Mapping[str, Any], fmt: str) -> str:
    """The report of ``document`` in ``fmt`` (one of FORMATS), as text."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    report = read_run_document(document)
    if fmt == "json":
        from databorder.report.json import render_json

        return render_json(document)
    return _renderer(fmt)(report)


def write_report(document: Mapping[str, Any], fmt: str, path: Path) -> None:
    """Render, then write ``path`` atomically: a bad document or a crash leaves no half file
    and an earlier report at ``path`` untouched."""
    write_text_atomically(render(document, fmt), path)


def _renderer(fmt: str) -> Callable[[RunReport], str]:
    if fmt == "html":
        from databorder.report.html import render_html

        return render_html
    if fmt == "sarif":
        from databorder.report.sarif import render_sarif

        return render_sarif
    if fmt == "md":
        from databorder.report.markdown import render_markdown

        return render_markdown
    from databorder.report import csv

    return {"csv": csv.render_fields_csv, "csv-destinations": csv.render_destinations_csv,
            "csv-findings": csv.render_findings_csv}[fmt]
