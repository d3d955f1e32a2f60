"""What changed between two stored runs: categories and fields new or gone, distinct counts
crossing a regulatory volume threshold, recipients, jurisdictions, countries of concern and
findings' outcomes.

The thresholds are data (``knowledge/diff_thresholds.yaml``, each with its source and date).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml

from databorder.categories import CATEGORIES
from databorder.errors import UsageError

from .records import CategoryRecord, DestinationRecord, FieldRecord, FindingRecord, RunSummary
from .store import Store

DIFF_SCHEMA = "databorder.diff/1"
THRESHOLDS_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "diff_thresholds.yaml"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Threshold:
    """A volume at which a regime's obligations change (``compare``: ``gt`` or ``ge``)."""

    id: str
    regime: str
    label: str
    value: int
    compare: Literal["gt", "ge"]
    applies_to: dict[str, Any]
    source: str
    as_of: str

    def applies(self, category_id: str) -> bool:
        category = CATEGORIES.get(category_id)
        if self.applies_to.get("any"):
            return True
        if category is None:
            return False
        if "doj" in self.applies_to:
            return bool(category.doj == self.applies_to["doj"])
        return bool(self.applies_to.get("pipl_sensitive")) and bool(category.pipl_sensitive)

    def met(self, count: int) -> bool:
        return count > self.value if self.compare == "gt" else count >= self.value


@cache
def thresholds(path: Path = THRESHOLDS_FILE) -> tuple[Threshold, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Threshold(id=t["id"], regime=t["regime"], label=t["label"],
                           value=int(t["value"]), compare=t["compare"],
                           applies_to=dict(t["applies_to"]), source=t["source"],
                           as_of=str(t["as_of"]))
                 for t in data["thresholds"])


@dataclass(frozen=True, slots=True)
class Changes(Generic[T]):
    """Items in the newer run only (``new``) and in the older run only (``gone``)."""

    new: tuple[T, ...] = ()
    gone: tuple[T, ...] = ()

    def to_json(self) -> dict[str, list[Any]]:
        return {"new": [_json(i) for i in self.new], "gone": [_json(i) for i in self.gone]}


@dataclass(frozen=True, slots=True)
class CountChange:
    """A category in both runs whose distinct count changed."""

    category: str
    before: int
    after: int
    exact: bool
    """Whether both counts are exact (not sketch estimates)."""


@dataclass(frozen=True, slots=True)
class Crossing:
    """A category's distinct count passing a threshold, ``up`` or ``down``."""

    category: str
    threshold: str
    label: str
    value: int
    direction: Literal["up", "down"]
    before: int
    after: int
    exact: bool
    source: str
    as_of: str


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """A finding (same rule, transfer and counterparty) whose outcome changed."""

    rule: str
    transfer: str | None
    counterparty: str | None
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RunDiff:
    """Run ``b`` against run ``a`` (usually the older)."""

    a: RunSummary
    b: RunSummary
    categories: Changes[CategoryRecord]
    counts: tuple[CountChange, ...]
    crossings: tuple[Crossing, ...]
    fields: Changes[FieldRecord]
    recipients: Changes[DestinationRecord]
    jurisdictions: Changes[str]
    countries_of_concern: Changes[str]
    findings: Changes[FindingRecord]
    outcomes: tuple[OutcomeChange, ...]

    @property
    def empty(self) -> bool:
        """Nothing new, gone, crossed or changed (counts that moved within a band aside)."""
        sets = (self.categories, self.fields, self.recipients, self.jurisdictions,
                self.countries_of_concern, self.findings)
        return not (any(s.new or s.gone for s in sets) or self.crossings or self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": DIFF_SCHEMA,
            "a": _run_json(self.a),
            "b": _run_json(self.b),
            "categories": self.categories.to_json(),
            "counts": [_json(c) for c in self.counts],
            "crossings": [_json(c) for c in self.crossings],
            "fields": self.fields.to_json(),
            "recipients": self.recipients.to_json(),
            "jurisdictions": self.jurisdictions.to_json(),
            "countries_of_concern": self.countries_of_concern.to_json(),
            "findings": self.findings.to_json(),
            "outcomes": [_json(o) for o in self.outcomes],
        }


def diff_runs(store: Store, a: int, b: int) -> RunDiff:
    """What is new or gone in run ``b`` compared with run ``a``."""
    first, second = store.run(a), store.run(b)
    for run in (first, second):
        if run.status in ("running", "incomplete"):
            raise UsageError(f"run {run.id} is {run.status}: it holds no results to compare")
    categories_a, categories_b = store.categories(a), store.categories(b)
    groups_a, groups_b = store.destinations(a), store.destinations(b)
    findings_a, findings_b = store.findings(a), store.findings(b)
    return RunDiff(
        a=first, b=second,
        categories=_changes(categories_a, categories_b, lambda c: c.category),
        counts=_count_changes(categories_a, categories_b),
        crossings=_crossings(categories_a, categories_b),
        fields=_changes(store.fields(a), store.fields(b),
                        lambda f: (f.source, f.table, f.field, f.category)),
        recipients=_changes(groups_a, groups_b,
                            lambda g: (g.recipient, g.ultimate_parent, g.controlled_from)),
        jurisdictions=_changes(_jurisdictions(groups_a), _jurisdictions(groups_b), str),
        countries_of_concern=_changes(_jurisdictions(groups_a, concern_only=True),
                                      _jurisdictions(groups_b, concern_only=True), str),
        findings=_changes(findings_a, findings_b, _finding_key),
        outcomes=_outcome_changes(findings_a, findings_b),
    )


def _changes(before: Iterable[T], after: Iterable[T],
             key: Callable[[T], Hashable]) -> Changes[T]:
    old = {key(item): item for item in before}
    new = {key(item): item for item in after}
    return Changes(new=tuple(item for k, item in new.items() if k not in old),
                   gone=tuple(item for k, item in old.items() if k not in new))


def _count_changes(before: list[CategoryRecord],
                   after: list[CategoryRecord]) -> tuple[CountChange, ...]:
    old = {c.category: c for c in before}
    return tuple(CountChange(c.category, old[c.category].distinct, c.distinct,
                             c.exact and old[c.category].exact)
                 for c in after
                 if c.category in old and old[c.category].distinct != c.distinct)


def _crossings(before: list[CategoryRecord],
               after: list[CategoryRecord]) -> tuple[Crossing, ...]:
    old = {c.category: c for c in before}
    new = {c.category: c for c in after}
    found = []
    for category in sorted(old.keys() | new.keys()):
        was, now = old.get(category), new.get(category)
        count_before, count_after = (was.distinct if was else 0), (now.distinct if now else 0)
        exact = (was.exact if was else True) and (now.exact if now else True)
        for threshold in thresholds():
            if not threshold.applies(category):
                continue
            met_before, met_after = threshold.met(count_before), threshold.met(count_after)
            if met_before != met_after:
                found.append(Crossing(category, threshold.id, threshold.label, threshold.value,
                                      "up" if met_after else "down", count_before, count_after,
                                      exact, threshold.source, threshold.as_of))
    return tuple(found)


def _jurisdictions(groups: list[DestinationRecord], concern_only: bool = False) -> list[str]:
    return sorted({g.controlled_from for g in groups
                   if g.controlled_from and (g.country_of_concern or not concern_only)})


def _finding_key(finding: FindingRecord) -> tuple[str, str | None, str | None]:
    return (finding.rule, finding.transfer, finding.counterparty)


def _outcome_changes(before: list[FindingRecord],
                     after: list[FindingRecord]) -> tuple[OutcomeChange, ...]:
    old = {_finding_key(f): f for f in before}
    return tuple(OutcomeChange(f.rule, f.transfer, f.counterparty,
                               old[_finding_key(f)].outcome, f.outcome)
                 for f in after
                 if _finding_key(f) in old and old[_finding_key(f)].outcome != f.outcome)


def _run_json(run: RunSummary) -> dict[str, Any]:
    return {"id": run.id, "command": run.command, "status": run.status,
            "started_at": run.started_at.isoformat(), "documents": list(run.documents)}


def _json(item: Any) -> Any:
    if hasattr(item, "to_json"):
        return item.to_json()
    if hasattr(item, "__dataclass_fields__"):
        return {name: getattr(item, name) for name in item.__dataclass_fields__}
    return item
