"""The Rich summary of an inventory printed at the end of ``databorder scan``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from databorder.inventory import Inventory


def _distinct(value: int, exact: bool, error: float) -> str:
    return f"{value:,}" if exact else f"≈{value:,} (±{error:.1%})"


def print_inventory(inventory: Inventory, console: Console) -> None:
    fields = Table(title="Sensitive fields", title_justify="left")
    for header in ("source", "field", "category", "rows", "distinct", "conf.", "masked samples"):
        fields.add_column(header, overflow="fold",
                          justify="right" if header in ("rows", "distinct", "conf.") else "left")
    for source in inventory.sources:
        name = f"{source.source}#{source.table}" if source.table else source.source
        for tally in source.fields:
            count = tally.distinct.result()
            fields.add_row(name, tally.field, tally.category, f"{tally.rows:,}",
                           _distinct(count.value, count.exact, count.relative_error_95),
                           f"{tally.confidence:.2f}", ", ".join(tally.samples))
    console.print(fields)

    categories = Table(title="Per category, whole scan", title_justify="left")
    for header in ("category", "unit", "fields", "rows", "distinct"):
        categories.add_column(header, justify="left" if header in ("category", "unit")
                              else "right")
    for category_id, total in inventory.category_totals().items():
        categories.add_row(category_id, total["unit"] or "", str(total["fields"]),
                           f"{total['rows']:,}", _distinct(total["distinct"],
                                                           total["distinct_exact"],
                                                           total["distinct_error_95"]))
    console.print(categories)

    subjects = [s for s in inventory.sources if s.subjects is not None]
    if subjects:
        table = Table(title="Distinct subjects per source", title_justify="left")
        for header in ("source", "key", "distinct", "basis"):
            table.add_column(header, overflow="fold")
        for source in subjects:
            assert source.subjects is not None
            name = f"{source.source}#{source.table}" if source.table else source.source
            table.add_row(name, source.subject_key or "",
                          _distinct(source.subjects.value, source.subjects.exact,
                                    source.subjects.relative_error_95), source.subject_basis or "")
        console.print(table)
    for problem in inventory.skipped:
        console.print(f"[dim]skipped {problem.source}: {problem.reason}[/dim]")
