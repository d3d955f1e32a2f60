"""The few lines ``databorder audit`` prints at the end: what was found, where it goes, what
the rules say, and where the full report is. The summary is the HTML report's (``summary``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from databorder.assess.terminal import OUTCOME_STYLE
from databorder.report.model import read_run_document
from databorder.report.summary import summarise


def print_audit_summary(document: dict[str, Any], written: list[Path],
                        console: Console) -> None:
    report = read_run_document(document)
    summary = summarise(report)
    lines: list[Text] = []
    if report.inventory is not None:
        heads = ", ".join(f"≥ {h.distinct:,} {h.unit}" + ("" if h.exact else " (estimated)")
                          for h in summary.headcounts)
        lines.append(Text(f"data: {len(summary.categories)} categories of personal data"
                          + (f" ({heads})" if heads else "")))
    if report.flows is not None:
        countries = ", ".join(j.code for j in summary.jurisdictions) or "none"
        line = Text(f"egress: {len(summary.recipients)} recipients controlled from {countries}")
        if summary.concerns:
            names = ", ".join(g.recipient for g in summary.concerns)
            line.append(f"; from a country of concern: {names}", style="bold red")
        lines.append(line)
    if report.findings is not None:
        outcomes = Counter(f.outcome for f in report.findings.findings)
        line = Text("rules: ")
        for index, (outcome, count) in enumerate(sorted(outcomes.items())):
            line.append(", " if index else "")
            line.append(f"{count} {outcome}", style=OUTCOME_STYLE.get(outcome, ""))
        lines.append(line if outcomes else Text("rules: no finding"))
    for line in lines:
        console.print(line)
    if summary.worst_findings:
        table = Table(title="Worst findings", title_justify="left")
        for header in ("rule", "outcome", "transfer", "finding"):
            table.add_column(header, overflow="fold")
        for finding in summary.worst_findings:
            table.add_row(finding.rule, Text(finding.outcome,
                                             style=OUTCOME_STYLE.get(finding.outcome, "")),
                          Text(finding.transfer or "-"), Text(finding.title))
        console.print(table)
    html = next((path for path in written if path.suffix == ".html"), None)
    if html is not None:
        console.print(f"report: {html.resolve()}", style="bold")
