"""What the store answers: plain frozen dataclasses, each with a ``to_json()``.

These are the types the CLI, the report command and the web dashboard read; they hold counts,
names and masked data only (the documents they come from never hold a raw value).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

RunStatus = Literal["running", "complete", "failed", "incomplete"]
"""``incomplete``: stored as running, but its process is gone (see ``docs/store.md``)."""


@dataclass(frozen=True, slots=True)
class RunCounts:
    """Normalised rows a run holds."""

    fields: int = 0
    categories: int = 0
    destination_groups: int = 0
    findings: int = 0


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: int
    command: str
    arguments: dict[str, Any]
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    tool_version: str
    pid: int
    hostname: str
    documents: tuple[str, ...] = ()
    """Kinds of the documents held: ``inventory``, ``flows``, ``findings``."""
    counts: RunCounts = field(default_factory=RunCounts)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "command": self.command, "arguments": self.arguments,
            "status": self.status, "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "tool_version": self.tool_version, "pid": self.pid, "hostname": self.hostname,
            "documents": list(self.documents), "counts": asdict(self.counts),
        }


@dataclass(frozen=True, slots=True)
class FieldRecord:
    """One (source, table, field, category) of an inventory."""

    source: str
    table: str | None
    field: str
    category: str
    rows: int
    distinct: int
    distinct_exact: bool
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """One category over a whole inventory (distinct values merged across its fields)."""

    category: str
    rows: int
    distinct: int
    exact: bool
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DestinationRecord:
    """One (recipient, controller) group of a flows result."""

    recipient: str
    ultimate_parent: str | None
    controlled_from: str | None
    country_of_concern: bool | None
    flows: int
    bytes_out: int
    bytes_in: int | None
    internal_hosts: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One finding of the rules engine, without its evidence (that is in the document)."""

    id: str
    regime: str
    rule: str
    outcome: str
    severity: str | None
    transfer: str | None
    counterparty: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
