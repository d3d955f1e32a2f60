"""The inventory a scan produces, and its JSON form (schema ``databorder.inventory/1``).

The JSON schema is documented in ``docs/inventory-schema.md``. Only masked samples and counts
are ever written: normalised values live in memory as hashes inside the distinct counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from databorder.atomic import result_header, write_json_atomically
from databorder.categories import CATEGORIES
from databorder.detect.counting import DistinctCount, DistinctCounter
from databorder.engine.batch import FieldTally

SCHEMA = "databorder.inventory/1"


@dataclass(slots=True)
class SourceResult:
    source: str
    table: str | None
    reader: str
    rows: int
    size_bytes: int | None
    fields: list[FieldTally]
    subject_key: str | None = None
    subject_basis: str | None = None
    subjects: DistinctCount | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    reason: str


@dataclass(slots=True)
class Inventory:
    started_at: datetime
    exact_limit: int
    sources: list[SourceResult] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    finished_at: datetime | None = None

    def category_totals(self) -> dict[str, dict[str, Any]]:
        """Per category over the whole scan: rows, fields and merged distinct values."""
        counters: dict[str, DistinctCounter] = {}
        totals: dict[str, dict[str, Any]] = {}
        for source in self.sources:
            for tally in source.fields:
                entry = totals.setdefault(
                    tally.category, {"rows": 0, "fields": 0, "sources": set()})
                entry["rows"] += tally.rows
                entry["fields"] += 1
                entry["sources"].add(source.source)
                counter = counters.setdefault(tally.category, DistinctCounter(self.exact_limit))
                counter.merge(tally.distinct)
        result = {}
        for category_id in sorted(totals):
            entry = totals[category_id]
            count = counters[category_id].result()
            catalogue = CATEGORIES.get(category_id)
            result[category_id] = {
                "title": catalogue.title if catalogue else category_id,
                "unit": str(catalogue.unit) if catalogue else None,
                "doj_category": catalogue.doj if catalogue else None,
                "pipl_sensitive": catalogue.pipl_sensitive if catalogue else None,
                "rows": entry["rows"],
                "fields": entry["fields"],
                "sources": len(entry["sources"]),
                **_count_json(count),
            }
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            **result_header(SCHEMA, self.started_at, self.finished_at),
            "exact_limit": self.exact_limit,
            "sources": [_source_json(s) for s in self.sources],
            "fields": [_field_json(s, f) for s in self.sources for f in s.fields],
            "categories": self.category_totals(),
            "skipped": [{"source": p.source, "reason": p.reason} for p in self.skipped],
            "errors": [{"source": p.source, "reason": p.reason} for p in self.errors],
        }


def now() -> datetime:
    return datetime.now(UTC)


def _count_json(count: DistinctCount) -> dict[str, Any]:
    return {"distinct": count.value, "distinct_exact": count.exact,
            "distinct_error_95": count.relative_error_95}


def _source_json(source: SourceResult) -> dict[str, Any]:
    subjects = None
    if source.subjects is not None:
        subjects = {"key": source.subject_key, "basis": source.subject_basis,
                    **_count_json(source.subjects)}
    return {"source": source.source, "table": source.table, "reader": source.reader,
            "rows": source.rows, "bytes": source.size_bytes, "subjects": subjects}


def _field_json(source: SourceResult, tally: FieldTally) -> dict[str, Any]:
    return {
        "source": source.source,
        "table": source.table,
        "field": tally.field,
        "category": tally.category,
        "method": tally.method,
        "detectors": sorted(tally.detectors),
        "confidence": round(tally.confidence, 3),
        "reason": tally.reason,
        "rows": tally.rows,
        **_count_json(tally.distinct.result()),
        "masked_samples": tally.samples,
        "kinds": dict(tally.kinds.most_common()),
    }


def write_json(inventory: Inventory, path: Path) -> None:
    """Write atomically: a crash never leaves a half-written or clobbered file."""
    write_json_atomically(inventory.to_json(), path)
