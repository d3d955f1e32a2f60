"""The Rich output of ``databorder runs`` and ``databorder diff``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .diff import Changes, RunDiff
from .records import RunSummary

T = TypeVar("T")

_STATUS_STYLES = {"complete": "green", "running": "yellow", "failed": "red",
                  "incomplete": "bold red"}


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def print_runs(runs: Sequence[RunSummary], console: Console, store_url: str | None) -> None:
    if store_url is None:
        console.print("no runs: there is no store here (.databorder/store.sqlite); "
                      "databorder audit makes one, --store URL names another")
        return
    if not runs:
        console.print(f"no runs in the store at {store_url}")
        return
    table = Table(title=f"Runs in {store_url}", title_justify="left")
    for header in ("id", "command", "status", "started (UTC)", "finished (UTC)", "fields",
                   "categories", "recipients", "findings"):
        table.add_column(header, justify="right" if header in (
            "id", "fields", "categories", "recipients", "findings") else "left")
    for run in runs:
        counts = run.counts
        table.add_row(str(run.id), run.command,
                      Text(run.status, style=_STATUS_STYLES.get(run.status, "")),
                      _time(run.started_at), _time(run.finished_at), f"{counts.fields:,}",
                      f"{counts.categories:,}", f"{counts.destination_groups:,}",
                      f"{counts.findings:,}")
    console.print(table)
    if any(run.status == "incomplete" for run in runs):
        console.print(Text("incomplete: the run's process ended before its results were "
                           "written; nothing of it is kept", style="dim"))


def print_diff(diff: RunDiff, console: Console) -> None:
    console.print(Text(f"run {diff.b.id} ({diff.b.command}, {_time(diff.b.started_at)}) "
                       f"against run {diff.a.id} ({diff.a.command}, "
                       f"{_time(diff.a.started_at)})", style="bold"))
    for kind in ("inventory", "flows", "findings"):
        missing = [str(run.id) for run in (diff.a, diff.b) if kind not in run.documents]
        if len(missing) == 1:
            console.print(Text(f"note: run {missing[0]} has no {kind}: what it would hold "
                               "shows as new or gone", style="dim"))
    if diff.empty:
        console.print("nothing new or gone")
    _section(console, "categories", diff.categories,
             lambda c: f"{c.category} ({c.distinct:,} distinct)")
    for crossing in diff.crossings:
        arrow = "crossed" if crossing.direction == "up" else "fell below"
        estimate = "" if crossing.exact else " (estimated counts)"
        console.print(Text(f"  threshold {arrow}: {crossing.category} {crossing.before:,} -> "
                           f"{crossing.after:,}: {crossing.label}{estimate}",
                           style="bold red" if crossing.direction == "up" else "yellow"))
    _section(console, "fields", diff.fields,
             lambda f: f"{f.source}{' ' + f.table if f.table else ''} {f.field}: {f.category}")
    _section(console, "recipients", diff.recipients,
             lambda g: f"{g.recipient} (controlled from {g.controlled_from or '-'}, "
                       f"{g.flows:,} flows)")
    _section(console, "jurisdictions", diff.jurisdictions, str)
    _section(console, "countries of concern", diff.countries_of_concern, str)
    _section(console, "findings", diff.findings,
             lambda f: f"{f.rule} {f.outcome}: {f.transfer or '-'} -> {f.counterparty or '-'}")
    for change in diff.outcomes:
        console.print(f"  outcome changed: {change.rule} {change.transfer or '-'} -> "
                      f"{change.counterparty or '-'}: {change.before} -> {change.after}")
    moved = [c for c in diff.counts if c.category not in
             {x.category for x in diff.crossings}]
    for count in moved:
        console.print(Text(f"  {count.category}: {count.before:,} -> {count.after:,} distinct",
                           style="dim"))


def _section(console: Console, title: str, changes: Changes[T],
             show: Callable[[T], str]) -> None:
    for sign, items, style in (("+", changes.new, "green"), ("-", changes.gone, "red")):
        for item in items:
            console.print(Text(f"  {sign} {title}: {show(item)}", style=style))
