"""The Rich summary of ``databorder flows`` and the chain printed by ``databorder whois``."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from databorder.attribute.whois import WhoisAnswer
from databorder.destinations import FlowsResult
from databorder.report.numbers import human_bytes


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def print_flows(result: FlowsResult, console: Console) -> None:
    table = Table(title="Egress by controlling parent and jurisdiction", title_justify="left")
    for header in ("recipient (ultimate parent)", "controlled from", "flows", "bytes out",
                   "bytes in", "hosts", "dests", "first seen", "last seen", "top names"):
        table.add_column(header, overflow="fold", justify="right" if header in (
            "flows", "bytes out", "bytes in", "hosts", "dests") else "left")
    for row in result.groups.iter_rows(named=True):
        concern = bool(row["country_of_concern"])
        where = Text(row["controlled_from"] or "-", style="bold red" if concern else "")
        if concern:
            where.append(" ⚠ country of concern")
        table.add_row(Text(row["recipient"]), where, f"{row['flows']:,}",
                      human_bytes(row["bytes_out"]), human_bytes(row["bytes_in"]),
                      str(row["internal_hosts"]), str(row["destinations"]),
                      _time(row["first_seen"]), _time(row["last_seen"]),
                      Text(", ".join(row["top_names"] or [])))
    console.print(table)
    share = result.unattributed_share
    console.print(
        f"{result.totals['flows']:,} flows to {result.destinations.height:,} destinations; "
        f"unattributed (egress no known entity claims): {share['flows']:.1%} of "
        f"egress flows, {share['bytes_out']:.1%} of egress bytes out (private and reserved "
        "addresses aside).")
    for name, source in result.data_sources.items():
        console.print(Text(f"{name}: {source}", style="dim"))
    for source, reason in result.skipped:
        console.print(Text(f"skipped {source}: {reason}", style="dim"))


def print_whois(answer: WhoisAnswer, console: Console) -> None:
    console.print(Text(f"{answer.target}  ({answer.kind})", style="bold"))
    for hop in answer.hops:
        line = Text(f"  → {hop.label}: ", style="bold")
        line.append(hop.value)
        if hop.detail:
            line.append(f"  {hop.detail}", style="none")
        console.print(line)
        if hop.source:
            console.print(Text(f"      source: {hop.source}", style="dim"))
    if not answer.hops:
        console.print("  no attribution: nothing in the bundled data or knowledge base matches")
