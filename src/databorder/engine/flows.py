"""The local executor of ``databorder flows``: read, name, attribute, group — streaming.

The naming records (dns/ssl/http logs, usually much smaller than the connections) are read
first and prepared once (:class:`NameIndex`: ranked, reduced, sorted); the flows are then read
one batch (at most 65,536 rows) at a time, named and folded into a :class:`DestinationTotals`
per file, which joins the run's totals once the file is read to its end (a file that fails
counts for nothing). Memory grows with the distinct destinations and (destination, internal
host) pairs, not with the records; the destinations are attributed once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from databorder.attribute.entities import KnowledgeBase
from databorder.attribute.ip import IpDatabase
from databorder.destinations import DestinationTotals, FlowsResult
from databorder.inventory import now
from databorder.sources.base import ProgressFn
from databorder.sources.open import walk
from databorder.traffic.naming import NameIndex, name_flows
from databorder.traffic.open import flow_files, open_targets, read_names


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
    """Read every log, name destinations from the same capture, attribute and group them.

    ``progress`` is called with input bytes (compressed sizes) as they are read.
    """
    started = now()
    knowledge = knowledge or KnowledgeBase.bundled()
    ip_db = ip_db or IpDatabase.bundled()
    logs = open_targets(targets)
    names = NameIndex.of(read_names(logs, progress))
    totals = DestinationTotals()
    for file in flow_files(logs, progress=progress):
        part = DestinationTotals()
        for batch in file:
            part.add(name_flows(pl.DataFrame(pl.from_arrow(batch)), names))
        if not file.failed:
            totals.merge(part)
    groups, destinations, sums = totals.summarise(knowledge, ip_db)
    result = FlowsResult(
        started_at=started, groups=groups, destinations=destinations, totals=sums,
        logs=sorted(totals.logs),
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
