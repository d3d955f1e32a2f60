"""The run document (``databorder.run/1``) read into typed rows that every renderer shares.

A run document is a plain dict: ``{"schema", "run", "inventory", "flows", "findings"}``, the
last three ``None`` when that stage did not run. Reading it here, once, means a malformed
document fails with one line naming the key at fault (``inventory.fields[3].rows: expected an
integer``) before any renderer writes a byte, and the renderers work with checked types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from databorder.errors import ReportError

RUN_SCHEMA = "databorder.run/1"
INVENTORY_SCHEMA = "databorder.inventory/1"
FLOWS_SCHEMA = "databorder.flows/1"
FINDINGS_SCHEMA = "databorder.findings/1"

RUN_STATUSES = ("complete", "running", "incomplete", "failed")
SEVERITIES = ("critical", "high", "medium", "low", "info")
"""Worst first: a finding's rank is its index here."""
OUTCOMES = ("prohibited", "restricted", "security_assessment_required",
            "contract_or_certification_required", "conflict", "insufficient_facts",
            "exempt", "allowed")


class _Reader:
    """Typed access to one JSON object, naming ``path.key`` in every error."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise ReportError(f"run document: {path}: expected an object, got "
                              f"{_type_name(value)}")
        self.data: Mapping[str, Any] = value
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fail(self, key: str, expected: str, value: object) -> ReportError:
        return ReportError(f"run document: {self._where(key)}: expected {expected}, got "
                           f"{_type_name(value)}")

    def _get(self, key: str, required: bool) -> object:
        if key not in self.data:
            if required:
                raise ReportError(f"run document: {self._where(key)}: missing")
            return None
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key, True)
        if not isinstance(value, str):
            raise self._fail(key, "a string", value)
        return value

    def optional_text(self, key: str) -> str | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a string or null", value)
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self._get(key, default is None)
        if value is None and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer", value)
        return value

    def optional_integer(self, key: str) -> int | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer or null", value)
        return value

    def number(self, key: str, default: float = 0.0) -> float:
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number", value)
        return float(value)

    def flag(self, key: str) -> bool | None:
        value = self._get(key, False)
        if value is not None and not isinstance(value, bool):
            raise self._fail(key, "true, false or null", value)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings", value)
        return tuple(value)

    def label(self, key: str) -> str | None:
        """A string, or an object shown as ``key: value, ...`` (shapes still settling)."""
        value = self._get(key, False)
        return None if value is None else _label(value)

    def labels(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._fail(key, "a list", value)
        return tuple(_label(item) for item in value)

    def objects(self, key: str) -> list[_Reader]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list", value)
        return [_Reader(item, f"{self._where(key)}[{i}]") for i, item in enumerate(value)]

    def mapping(self, key: str) -> dict[str, Any]:
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self._fail(key, "an object", value)
        return dict(value)

    def choice(self, key: str, allowed: Sequence[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise ReportError(f"run document: {self._where(key)}: {value!r} is not one of "
                              f"{', '.join(allowed)}")
        return value

    def schema(self, expected: str) -> None:
        value = self._get("schema", True)
        if value != expected:
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            raise ReportError(f"run document: {self._where('schema')}: expected {expected!r}, "
                              f"got {shown[:60]}")


def _label(value: object) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_label(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return ", ".join(_label(item) for item in value)
    return "" if value is None else str(value)


def _type_name(value: object) -> str:
    return {type(None): "null", bool: "a boolean", int: "an integer", float: "a number",
            str: "a string", list: "a list", dict: "an object"}.get(type(value), "a value")


@dataclass(frozen=True)
class RunInfo:
    id: int
    command: str
    arguments: dict[str, Any]
    status: str
    started_at: str
    finished_at: str | None
    tool_version: str


@dataclass(frozen=True)
class SourceRow:
    source: str
    table: str | None
    reader: str
    rows: int
    bytes: int | None
    subjects: int | None
    subjects_key: str | None


@dataclass(frozen=True)
class FieldRow:
    source: str
    table: str | None
    field: str
    category: str
    method: str
    detectors: tuple[str, ...]
    confidence: float
    reason: str
    rows: int
    distinct: int
    distinct_exact: bool
    masked_samples: tuple[str, ...]


@dataclass(frozen=True)
class CategoryRow:
    id: str
    title: str
    unit: str
    doj_category: str | None
    pipl_sensitive: bool
    rows: int
    fields: int
    sources: int
    distinct: int
    distinct_exact: bool


@dataclass(frozen=True)
class Inventory:
    started_at: str
    finished_at: str
    sources: list[SourceRow]
    fields: list[FieldRow]
    categories: list[CategoryRow]
    errors: list[str]


@dataclass(frozen=True)
class GroupRow:
    recipient: str
    ultimate_parent: str | None
    controlled_from: str | None
    country_of_concern: bool | None
    flows: int
    bytes_out: int
    bytes_in: int | None
    internal_hosts: int
    destinations: int
    first_seen: str | None
    last_seen: str | None
    top_names: tuple[str, ...]

    @property
    def is_external(self) -> bool:
        """False for the private-or-reserved group: egress to our own address space."""
        return self.recipient != PRIVATE_OR_RESERVED


PRIVATE_OR_RESERVED = "(private or reserved address space)"


@dataclass(frozen=True)
class DestinationRow:
    dst_ip: str | None
    """None for a name-only destination (a proxy log that logs no server address)."""
    name: str | None
    ip_scope: str
    recipient: str | None
    entity: str | None
    controlled_from: str | None
    country_of_concern: bool | None
    asn: int | None
    as_name: str | None
    ip_country: str | None
    evidence: str | None
    flows: int
    bytes_out: int
    bytes_in: int | None
    internal_hosts: int


@dataclass(frozen=True)
class Flows:
    started_at: str
    finished_at: str
    logs: tuple[str, ...]
    data_sources: dict[str, str]
    totals: dict[str, int]
    groups: list[GroupRow]
    destinations: list[DestinationRow]


@dataclass(frozen=True)
class Evidence:
    kind: str
    ref: str
    detail: str | None


@dataclass(frozen=True)
class Action:
    action: str
    deadline: str | None
    citation: str | None


@dataclass(frozen=True)
class Citation:
    instrument: str
    section: str | None
    url: str | None
    read: str | None


@dataclass(frozen=True)
class Finding:
    id: str
    regime: str
    rule: str
    name: str
    title: str
    outcome: str
    severity: str
    transfer: str | None
    counterparty: str | None
    categories: tuple[str, ...]
    evidence: list[Evidence]
    actions: list[Action]
    questions: tuple[str, ...]
    citations: list[Citation]

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)


@dataclass(frozen=True)
class Findings:
    as_of: str | None
    findings: list[Finding]


@dataclass(frozen=True)
class RunReport:
    """Everything a renderer shows; ``inventory``, ``flows``, ``findings`` are None if absent."""

    run: RunInfo
    inventory: Inventory | None
    flows: Flows | None
    findings: Findings | None


def read_run_document(document: object) -> RunReport:
    """Check ``document`` and read it; raises ReportError naming the first key at fault."""
    top = _Reader(document, "")
    top.schema(RUN_SCHEMA)
    run = _Reader(top.data.get("run"), "run")
    info = RunInfo(id=run.integer("id"), command=run.text("command"),
                   arguments=run.mapping("arguments"), status=run.choice("status", RUN_STATUSES),
                   started_at=run.text("started_at"), finished_at=run.optional_text("finished_at"),
                   tool_version=run.text("tool_version"))
    inventory = top.data.get("inventory")
    flows = top.data.get("flows")
    findings = top.data.get("findings")
    return RunReport(
        run=info,
        inventory=None if inventory is None else _inventory(_Reader(inventory, "inventory")),
        flows=None if flows is None else _flows(_Reader(flows, "flows")),
        findings=None if findings is None else _findings(_Reader(findings, "findings")))


def _inventory(doc: _Reader) -> Inventory:
    doc.schema(INVENTORY_SCHEMA)
    sources = []
    for s in doc.objects("sources"):
        subjects = None if s.data.get("subjects") is None else _Reader(
            s.data["subjects"], f"{s.path}.subjects")
        sources.append(SourceRow(
            source=s.text("source"), table=s.optional_text("table"), reader=s.text("reader"),
            rows=s.integer("rows"), bytes=s.optional_integer("bytes"),
            subjects=None if subjects is None else subjects.integer("distinct"),
            subjects_key=None if subjects is None else subjects.optional_text("key")))
    fields = [FieldRow(
        source=f.text("source"), table=f.optional_text("table"), field=f.text("field"),
        category=f.text("category"), method=f.text("method"), detectors=f.texts("detectors"),
        confidence=f.number("confidence"), reason=f.optional_text("reason") or "",
        rows=f.integer("rows"), distinct=f.integer("distinct"),
        distinct_exact=f.flag("distinct_exact") is not False,
        masked_samples=f.texts("masked_samples")) for f in doc.objects("fields")]
    categories = []
    for key, value in doc.mapping("categories").items():
        c = _Reader(value, f"inventory.categories.{key}")
        categories.append(CategoryRow(
            id=key, title=c.optional_text("title") or key, unit=c.optional_text("unit") or "",
            doj_category=c.optional_text("doj_category"),
            pipl_sensitive=bool(c.flag("pipl_sensitive")), rows=c.integer("rows"),
            fields=c.integer("fields", 0), sources=c.integer("sources", 0),
            distinct=c.integer("distinct"), distinct_exact=c.flag("distinct_exact") is not False))
    errors = [f"{e.text('source')}: {e.text('reason')}" for e in doc.objects("errors")]
    return Inventory(started_at=doc.text("started_at"), finished_at=doc.text("finished_at"),
                     sources=sources, fields=fields, categories=categories, errors=errors)


def _flows(doc: _Reader) -> Flows:
    doc.schema(FLOWS_SCHEMA)
    groups = [GroupRow(
        recipient=g.text("recipient"), ultimate_parent=g.optional_text("ultimate_parent"),
        controlled_from=g.optional_text("controlled_from"),
        country_of_concern=g.flag("country_of_concern"), flows=g.integer("flows"),
        bytes_out=g.integer("bytes_out", 0), bytes_in=g.optional_integer("bytes_in"),
        internal_hosts=g.integer("internal_hosts", 0), destinations=g.integer("destinations", 0),
        first_seen=g.optional_text("first_seen"), last_seen=g.optional_text("last_seen"),
        top_names=g.texts("top_names")) for g in doc.objects("groups")]
    destinations = [DestinationRow(
        dst_ip=d.optional_text("dst_ip"), name=d.optional_text("name"),
        ip_scope=d.optional_text("ip_scope") or "public",
        recipient=d.optional_text("parent_name"), entity=d.optional_text("entity_name"),
        controlled_from=d.optional_text("controlled_from"),
        country_of_concern=d.flag("country_of_concern"), asn=d.optional_integer("asn"),
        as_name=d.optional_text("as_name"), ip_country=d.optional_text("ip_country"),
        evidence=d.optional_text("evidence"), flows=d.integer("flows"),
        bytes_out=d.integer("bytes_out", 0), bytes_in=d.optional_integer("bytes_in"),
        internal_hosts=d.integer("internal_hosts", 0)) for d in doc.objects("destinations")]
    totals = {key: value for key, value in doc.mapping("totals").items()
              if isinstance(value, int) and not isinstance(value, bool)}
    data_sources = {str(key): str(value) for key, value in doc.mapping("data_sources").items()}
    return Flows(started_at=doc.text("started_at"), finished_at=doc.text("finished_at"),
                 logs=doc.texts("logs"), data_sources=data_sources, totals=totals,
                 groups=groups, destinations=destinations)


def _findings(doc: _Reader) -> Findings:
    doc.schema(FINDINGS_SCHEMA)
    findings = []
    for f in doc.objects("findings"):
        findings.append(Finding(
            id=f.text("id"), regime=f.text("regime"), rule=f.text("rule"),
            name=f.optional_text("name") or f.text("rule"), title=f.text("title"),
            outcome=f.choice("outcome", OUTCOMES), severity=f.choice("severity", SEVERITIES),
            transfer=f.label("transfer"), counterparty=f.label("counterparty"),
            categories=f.texts("categories"),
            evidence=[Evidence(kind=e.text("kind"), ref=e.text("ref"),
                               detail=e.optional_text("detail")) for e in f.objects("evidence")],
            actions=[Action(action=a.text("action"), deadline=a.optional_text("deadline"),
                            citation=a.optional_text("citation")) for a in f.objects("actions")],
            questions=f.labels("questions"),
            citations=[Citation(instrument=c.text("instrument"),
                                section=c.optional_text("section"), url=c.optional_text("url"),
                                read=c.optional_text("read")) for c in f.objects("citations")]))
    findings.sort(key=lambda finding: (finding.rank, OUTCOMES.index(finding.outcome),
                                       finding.rule, finding.id))
    return Findings(as_of=doc.optional_text("as_of"), findings=findings)
