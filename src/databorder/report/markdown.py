"""The Markdown report: the summary and the tables, for a pull request or a wiki page.

Every value goes through ``cell``: HTML-significant characters become entities (a Markdown
renderer passes raw HTML through), Markdown punctuation is backslash-escaped and line breaks
become spaces, so a field named ``<script>`` or ``a|b`` stays one literal table cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from databorder.report.model import RunReport
from databorder.report.numbers import count, human_bytes, share
from databorder.report.summary import Summary, summarise

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = "".join(_HTML.get(char, char) for char in text)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def render_markdown(report: RunReport) -> str:
    summary = summarise(report)
    run = report.run
    lines = [f"# databorder report: run {run.id}", "",
             f"`databorder {cell(run.command)}` · status **{cell(run.status)}** · started "
             f"{cell(run.started_at)}" + (f" · finished {cell(run.finished_at)}"
                                          if run.finished_at else "")
             + f" · databorder {cell(run.tool_version)}", ""]
    if run.status != "complete":
        lines += [f"> This run is **{cell(run.status)}**: the report shows what it recorded "
                  "before it stopped.", ""]
    lines += _summary(report, summary)
    if report.findings:
        lines += ["## Findings", ""]
        lines += _table(("severity", "outcome", "rule", "regime", "finding", "recipient",
                         "categories", "actions"),
                        [(f.severity, f.outcome.replace("_", " "), f.rule, f.regime, f.title,
                          f.counterparty or "-", ", ".join(f.categories),
                          "; ".join(a.action for a in f.actions))
                         for f in report.findings.findings])
    if report.inventory:
        lines += ["## Fields holding personal data", ""]
        lines += _table(("source", "field", "category", "method", "rows", "distinct",
                         "confidence", "masked samples"),
                        [(f.source + (f" · {f.table}" if f.table else ""), f.field, f.category,
                          f.method, count(f.rows), count(f.distinct, f.distinct_exact),
                          f"{f.confidence:.2f}", ", ".join(f.masked_samples))
                         for f in report.inventory.fields])
    if report.flows:
        lines += ["## Recipients", ""]
        lines += _table(("recipient", "controlled from", "country of concern", "flows",
                         "bytes out", "hosts", "destinations"),
                        [(g.recipient, g.controlled_from or "-",
                          {True: "yes", False: "no", None: "-"}[g.country_of_concern],
                          count(g.flows), human_bytes(g.bytes_out), count(g.internal_hosts),
                          count(g.destinations)) for g in report.flows.groups])
    if summary.data_ages:
        lines += ["## Data used", ""]
        lines += [f"- {cell(name)}: {cell(source)}" for name, source in summary.data_ages]
        lines.append("")
    lines += ["Masked samples and counts only: no raw value of the scanned data is in this "
              "report."]
    return "\n".join(lines) + "\n"


def _summary(report: RunReport, summary: Summary) -> list[str]:
    lines = ["## Summary", ""]
    if report.inventory is None:
        lines.append("- Data at rest: not scanned in this run.")
    else:
        heads = ", ".join(f"at least {count(h.distinct, h.exact)} {h.unit} (by {cell(h.category)})"
                          for h in summary.headcounts)
        lines.append(f"- Data at rest: {len(summary.categories)} categories of personal data "
                     f"in {len(report.inventory.sources)} sources" + (f"; {heads}" if heads
                                                                       else "") + ".")
        lines += [f"  - {cell(c.title)}: {count(c.distinct, c.distinct_exact)} distinct in "
                  f"{c.fields} field{'' if c.fields == 1 else 's'}" for c in summary.categories]
    if report.flows is None:
        lines.append("- Egress: no logs read in this run.")
    else:
        places = ", ".join(f"{cell(j.code)} ({share(j.bytes_out, summary.egress_bytes)})"
                           for j in summary.jurisdictions)
        lines.append(f"- Egress: {human_bytes(summary.egress_bytes)} to "
                     f"{len(summary.recipients)} recipients"
                     + (f", controlled from {places}" if places else "") + "; "
                     f"{human_bytes(summary.private_bytes)} to private or reserved addresses.")
        concerns = ", ".join(f"{cell(g.recipient)} ({cell(g.controlled_from)})"
                             for g in summary.concerns)
        lines.append(f"- Countries of concern: {concerns or 'none observed'}.")
    if report.findings:
        lines.append(f"- Findings: {len(report.findings.findings)}, of which "
                     f"{summary.failing_findings} need action.")
        lines += [f"  - **{cell(f.severity)}** {cell(f.rule)} {cell(f.title)} "
                  f"({cell(f.outcome.replace('_', ' '))})" for f in summary.worst_findings]
    return lines + [""]


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines + [""]
