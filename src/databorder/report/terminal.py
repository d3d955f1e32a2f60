"""The Rich summary of an inventory printed at the end of ``databorder scan``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from databorder.detect.counting import DistinctCount
from databorder.inventory import Inventory, SourceResult

SAMPLES_SHOWN = 2


def _distinct(count: DistinctCount) -> str:
    if count.exact:
        return f"{count.value:,}"
    return f"≈{count.value:,} (±{count.relative_error_95:.1%})"


def _source_title(source: SourceResult) -> Text:
    name = f"{source.source}#{source.table}" if source.table else source.source
    title = Text(name, style="bold")
    title.append(f"  {source.rows:,} rows", style="none")
    if source.subjects is not None:
        title.append(f", {_distinct(source.subjects)} distinct subjects by "
                     f"{source.subject_key} ({source.subject_basis})", style="none")
    return title


def _source_table(source: SourceResult) -> Table:
    table = Table(title=_source_title(source), title_justify="left", expand=False)
    table.add_column("field", overflow="fold")
    table.add_column("category")
    table.add_column("rows", justify="right")
    table.add_column("distinct", justify="right")
    table.add_column("conf.", justify="right")
    table.add_column("masked samples", overflow="fold")
    for tally in source.fields:
        table.add_row(Text(tally.field), tally.category, f"{tally.rows:,}",
                      _distinct(tally.distinct.result()), f"{tally.confidence:.2f}",
                      Text(", ".join(tally.samples[:SAMPLES_SHOWN])))
    return table


def print_inventory(inventory: Inventory, console: Console) -> None:
    for source in inventory.sources:
        if source.fields:
            console.print(_source_table(source))
    clean = [s for s in inventory.sources if not s.fields]
    if clean:
        console.print(Text(f"No sensitive field found in {len(clean)} source(s): "
                           + ", ".join(s.source + (f"#{s.table}" if s.table else "")
                                       for s in clean), style="dim"))

    categories = Table(title="Per category, whole scan", title_justify="left")
    for header in ("category", "unit", "sources", "fields", "rows", "distinct"):
        categories.add_column(header, justify="left" if header in ("category", "unit")
                              else "right")
    for category_id, total in inventory.category_totals().items():
        count = DistinctCount(total["distinct"], total["distinct_exact"],
                              total["distinct_error_95"])
        categories.add_row(category_id, total["unit"] or "", str(total["sources"]),
                           str(total["fields"]), f"{total['rows']:,}", _distinct(count))
    console.print(categories)
    for problem in inventory.skipped:
        console.print(Text(f"skipped {problem.source}: {problem.reason}", style="dim"))
