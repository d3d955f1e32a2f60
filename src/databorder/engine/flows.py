"""The local executor of ``databorder flows``: read, name, attribute, group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from databorder.attribute.entities import KnowledgeBase
from databorder.attribute.ip import IpDatabase
from databorder.destinations import FlowsResult, summarise
from databorder.inventory import now
from databorder.sources.base import ProgressFn
from databorder.sources.open import walk
from databorder.traffic.naming import name_flows
from databorder.traffic.open import read_logs


def total_size(targets: Sequence[str]) -> int:
    """Bytes of every file under ``targets`` (compressed sizes), for a progress bar."""
    total = 0
    for target in targets:
        path = Path(target)
        if path.is_dir():
            total += sum(f.stat().st_size for f in walk(path))
        elif path.is_file():
            total += path.stat().st_size
    return total


def run_flows(
    targets: Sequence[str],
    knowledge: KnowledgeBase | None = None,
    progress: ProgressFn | None = None,
    ip_db: IpDatabase | None = None,
) -> FlowsResult:
    """Read every log, name destinations from the same capture, attribute and group them."""
    started = now()
    knowledge = knowledge or KnowledgeBase.bundled()
    ip_db = ip_db or IpDatabase.bundled()
    logs = read_logs(targets, progress=progress)
    named = name_flows(logs.flows, logs.names)
    groups, destinations, totals = summarise(named, knowledge, ip_db)
    result = FlowsResult(
        started_at=started, groups=groups, destinations=destinations, totals=totals,
        logs=sorted(set(named["log"].to_list())) if named.height else [],
        problems=logs.problems,
        skipped=[(s.source, s.reason) for s in logs.skipped if not s.error],
        data_sources={
            "IP networks": f"{ip_db.source} (as of {ip_db.as_of})",
            "countries of concern": f"{knowledge.concern.source} "
                                    f"(as of {knowledge.concern.as_of})",
            "entities": f"{len(knowledge.entities)} entities, bundled knowledge base",
        },
    )
    result.finished_at = now()
    return result
