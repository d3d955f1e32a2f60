"""Egress destinations grouped by who controls them: the result of ``databorder flows``.

Flows are read (:mod:`databorder.traffic`), named from the same capture (DNS answers, TLS SNI,
HTTP Host), and every distinct destination ``(dst_ip, name)`` is attributed once
(:mod:`databorder.attribute`). The groups are (ultimate parent, country it is controlled from);
destinations in private or reserved address space form their own group, and public
destinations no knowledge-base entry claims are counted as unattributed, never guessed.

The JSON form (schema ``databorder.flows/1``) is documented in ``docs/flows-schema.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from databorder import __version__
from databorder.atomic import write_json_atomically
from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.entities import KnowledgeBase
from databorder.attribute.ip import IpDatabase
from databorder.inventory import now

SCHEMA = "databorder.flows/1"
PRIVATE = "(private or reserved address space)"
UNATTRIBUTED = "(unattributed)"
TOP_NAMES = 3

_SUMS = [
    pl.len().alias("flows"),
    pl.col("bytes_out").sum().alias("bytes_out"),
    pl.col("bytes_in").sum().alias("bytes_in"),
    pl.col("src_ip").n_unique().alias("internal_hosts"),
    pl.col("dst_ip").n_unique().alias("destinations"),
    pl.col("ts").min().alias("first_seen"),
    pl.col("ts").max().alias("last_seen"),
]


@dataclass(slots=True)
class FlowsResult:
    started_at: datetime
    groups: pl.DataFrame
    destinations: pl.DataFrame
    totals: dict[str, int]
    logs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    data_sources: dict[str, str] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def unattributed_share(self) -> dict[str, float]:
        """Shares of public flows and bytes out that no entity claims."""
        public_flows = self.totals["flows"] - self.totals["private_flows"]
        public_bytes = self.totals["bytes_out"] - self.totals["private_bytes_out"]
        return {
            "flows": self.totals["unattributed_flows"] / public_flows if public_flows else 0.0,
            "bytes_out": (self.totals["unattributed_bytes_out"] / public_bytes
                          if public_bytes else 0.0),
        }


def summarise(
    flows: pl.DataFrame,
    knowledge: KnowledgeBase | None = None,
    ip_db: IpDatabase | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """Attribute the distinct destinations of ``flows`` and group them by controller."""
    knowledge = knowledge or KnowledgeBase.bundled()
    ip_db = ip_db or IpDatabase.bundled()
    flows = flows.filter(pl.col("dst_ip").is_not_null())
    keys = flows.select("dst_ip", "name").unique()
    attributed = attribute_destinations(keys, ip_db=ip_db, knowledge=knowledge)
    names = {e.id: e.name for e in knowledge.entities.values()}
    attributed = attributed.with_columns(
        pl.col("ultimate_parent").replace_strict(names, default=None).alias("parent_name"),
        pl.col("entity").replace_strict(names, default=None).alias("entity_name"),
        pl.col("ip_scope").eq("public").alias("_public"),
    )
    joined = flows.with_columns(pl.col("name").str.strip_chars_end(".").str.to_lowercase()).join(
        attributed, on=["dst_ip", "name"], how="left", nulls_equal=True)
    group = (pl.when(~pl.col("_public")).then(pl.lit(PRIVATE))
             .when(pl.col("ultimate_parent").is_null()).then(pl.lit(UNATTRIBUTED))
             .otherwise(pl.col("parent_name")))
    joined = joined.with_columns(group.alias("recipient"))
    keys_out = ["recipient", "ultimate_parent", "controlled_from", "country_of_concern"]
    top_names = (joined.filter(pl.col("name").is_not_null())
                 .group_by([*keys_out, "name"], maintain_order=True).len()
                 .sort("len", descending=True)
                 .group_by(keys_out, maintain_order=True)
                 .agg(pl.col("name").head(TOP_NAMES).alias("top_names")))
    groups = (joined.group_by(keys_out).agg(_SUMS)
              .join(top_names, on=keys_out, how="left", nulls_equal=True)
              .sort(["bytes_out", "flows"], descending=True, nulls_last=True))
    destinations = (joined.group_by(["dst_ip", "name"]).agg(_SUMS)
                    .join(attributed.drop("_public"), on=["dst_ip", "name"], how="left",
                          nulls_equal=True)
                    .sort(["bytes_out", "flows"], descending=True, nulls_last=True))
    private = joined.filter(~pl.col("_public"))
    unattributed = joined.filter(pl.col("_public") & pl.col("ultimate_parent").is_null())
    totals = {
        "flows": joined.height,
        "bytes_out": int(joined["bytes_out"].sum() or 0),
        "bytes_in": int(joined["bytes_in"].sum() or 0),
        "private_flows": private.height,
        "private_bytes_out": int(private["bytes_out"].sum() or 0),
        "unattributed_flows": unattributed.height,
        "unattributed_bytes_out": int(unattributed["bytes_out"].sum() or 0),
    }
    return groups, destinations, totals


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, datetime):
                row[key] = value.isoformat()
    return rows


def to_json(result: FlowsResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "databorder", "version": __version__},
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat() if result.finished_at else None,
        "logs": result.logs,
        "data_sources": result.data_sources,
        "totals": result.totals,
        "unattributed_share": result.unattributed_share,
        "groups": _rows(result.groups),
        "destinations": _rows(result.destinations),
        "skipped": [{"source": s, "reason": r} for s, r in result.skipped],
        "errors": result.problems,
    }


def write_json(result: FlowsResult, path: Path) -> None:
    """Write atomically: a crash never leaves a half-written or clobbered file."""
    write_json_atomically(to_json(result), path)


__all__ = ["FlowsResult", "now", "summarise", "to_json", "write_json"]
