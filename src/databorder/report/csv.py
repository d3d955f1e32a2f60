"""CSV reports: one row per inventoried field, per destination, or per finding.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return) get a leading ``'``, so a hostile field name cannot run in Excel or Sheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from databorder.report.model import RunReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FIELD_COLUMNS = ("source", "table", "field", "category", "category_title", "unit", "method",
                 "detectors", "rows", "distinct", "distinct_exact", "confidence",
                 "masked_samples")
DESTINATION_COLUMNS = ("dst_ip", "name", "ip_scope", "recipient", "entity", "controlled_from",
                       "country_of_concern", "asn", "as_name", "ip_country", "evidence", "flows",
                       "bytes_out", "bytes_in", "internal_hosts")
FINDING_COLUMNS = ("id", "severity", "outcome", "regime", "rule", "name", "title", "transfer",
                   "counterparty", "categories", "evidence", "actions", "citations")

Cell = str | int | float | bool | None


def render_fields_csv(report: RunReport) -> str:
    inventory = report.inventory
    categories = {c.id: c for c in inventory.categories} if inventory else {}
    rows = []
    for f in inventory.fields if inventory else []:
        category = categories.get(f.category)
        rows.append((f.source, f.table, f.field, f.category,
                     category.title if category else None, category.unit if category else None,
                     f.method, " ".join(f.detectors), f.rows, f.distinct, f.distinct_exact,
                     round(f.confidence, 3), " | ".join(f.masked_samples)))
    return _write(FIELD_COLUMNS, rows)


def render_destinations_csv(report: RunReport) -> str:
    destinations = report.flows.destinations if report.flows else []
    return _write(DESTINATION_COLUMNS, [
        (d.dst_ip, d.name, d.ip_scope, d.recipient, d.entity, d.controlled_from,
         d.country_of_concern, d.asn, d.as_name, d.ip_country, d.evidence, d.flows, d.bytes_out,
         d.bytes_in, d.internal_hosts) for d in destinations])


def render_findings_csv(report: RunReport) -> str:
    findings = report.findings.findings if report.findings else []
    return _write(FINDING_COLUMNS, [
        (f.id, f.severity, f.outcome, f.regime, f.rule, f.name, f.title, f.transfer,
         f.counterparty, " ".join(f.categories),
         " | ".join(f"{e.kind}: {e.ref}" for e in f.evidence),
         " | ".join(a.action + (f" (by {a.deadline})" if a.deadline else "") for a in f.actions),
         " | ".join(" ".join(filter(None, (c.instrument, c.section, c.url)))
                    for c in f.citations)) for f in findings])


def _write(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _cell(value: Cell) -> Cell:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
