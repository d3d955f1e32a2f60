"""``databorder audit``: every stage that has inputs, one stored run, and the report.

The inputs come from a folder (data files are scanned, egress logs — the files a traffic
reader recognises — go to flows, a ``transfers.yaml`` or ``*.transfers.yaml`` to the rules
engine) or from a ``databorder.yaml`` (schema ``databorder.audit/1``, documented in
``docs/commands/audit.md``). The run is recorded in the store before any stage starts and
finished, with every document, in one transaction at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from databorder.atomic import write_json_atomically
from databorder.engine.local import ScanOptions, scan_targets
from databorder.errors import DataborderError, InputError, UsageError
from databorder.inventory import Inventory, now
from databorder.sources.open import walk
from databorder.store import Store
from databorder.traffic.open import FlowSource, open_log

CONFIG_SCHEMA = "databorder.audit/1"
CONFIG_NAMES = ("databorder.yaml", "databorder.yml")
DEFAULT_OUT = Path("databorder-report")
RUN_DOCUMENT_NAME = "run.json"
_CONFIG_KEYS = {"schema", "datasets", "databases", "egress_logs", "transfers", "knowledge",
                "output", "store"}
_OUTPUT_KEYS = {"dir", "formats"}
_REPORT_NAMES = {"csv": "fields.csv", "csv-destinations": "destinations.csv",
                 "csv-findings": "findings.csv"}

Notify = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Dataset:
    """Data at rest: a file, a folder or a database URL, with optional table names or globs."""

    target: str
    tables: tuple[str, ...] = ()


@dataclass(slots=True)
class AuditPlan:
    """What one audit reads and where it writes (``out``/``formats``/``store`` may be unset:
    the command line or the defaults decide)."""

    origin: Path
    datasets: list[Dataset] = field(default_factory=list)
    egress_logs: list[str] = field(default_factory=list)
    transfers: Path | None = None
    knowledge: Path | None = None
    out: Path | None = None
    formats: tuple[str, ...] = ()
    store: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.datasets or self.egress_logs or self.transfers)

    def arguments(self) -> dict[str, Any]:
        """The plan as stored with the run (URL passwords are hidden by the store)."""
        return {
            "target": str(self.origin),
            "datasets": [{"target": d.target, "tables": list(d.tables)} for d in self.datasets],
            "egress_logs": list(self.egress_logs),
            "transfers": str(self.transfers) if self.transfers else None,
            "knowledge": str(self.knowledge) if self.knowledge else None,
            "out": str(self.out) if self.out else None,
            "formats": list(self.formats),
        }


@dataclass(slots=True)
class AuditResult:
    run_id: int
    document: dict[str, Any]
    problems: list[str]
    """One line per input that could not be read (the exit status is then 1)."""
    written: list[Path]
    """The run document (``run.json``) and the report files, in that order."""


def plan(target: Path, exclude: Sequence[Path] = ()) -> AuditPlan:
    """The plan of a folder, of a configuration (``*.yaml``/``*.yml`` other than a transfers
    file), or of one input file."""
    if target.is_dir():
        return plan_directory(target, exclude)
    if not target.is_file():
        raise UsageError(f"{target}: no such file or directory")
    if target.suffix.lower() in (".yaml", ".yml") and not is_transfers_file(target):
        return load_config(target)
    return _sorted_inputs(target, [target])


def is_transfers_file(path: Path) -> bool:
    name = path.name.lower()
    return name in ("transfers.yaml", "transfers.yml") or name.endswith(
        (".transfers.yaml", ".transfers.yml"))


def plan_directory(directory: Path, exclude: Sequence[Path] = ()) -> AuditPlan:
    """Sort the files of a folder: transfers files, egress logs, and data to scan.

    Files under ``exclude`` (the report folder, when it is inside) are left out, as are
    hidden files and folders (``.databorder``, ``.git``) and a ``databorder.yaml``.
    """
    excluded = [p.resolve() for p in exclude]
    return _sorted_inputs(directory, [
        path for path in walk(directory)
        if not (any(path.resolve().is_relative_to(e) for e in excluded)
                or path.name in CONFIG_NAMES or path.name.startswith("."))])


def _sorted_inputs(origin: Path, files: Sequence[Path]) -> AuditPlan:
    result = AuditPlan(origin=origin)
    transfers: list[Path] = []
    data: list[str] = []
    for path in files:
        if is_transfers_file(path):
            transfers.append(path)
        elif _is_egress_log(path):
            result.egress_logs.append(str(path))
        else:
            data.append(str(path))
    if len(transfers) > 1:
        raise UsageError(f"{origin}: {len(transfers)} transfers files "
                         f"({', '.join(p.name for p in transfers[:3])}); name one in a "
                         f"databorder.yaml")
    result.transfers = transfers[0] if transfers else None
    result.datasets = [Dataset(target) for target in data]
    return result


def _is_egress_log(path: Path) -> bool:
    try:
        return isinstance(open_log(path), FlowSource)
    except InputError:
        return False  # unreadable: the scan reports it


def load_config(path: Path) -> AuditPlan:
    """Read a ``databorder.yaml``; paths in it are relative to its folder."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise UsageError(f"{where}: not valid YAML") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: an audit configuration is a YAML mapping")
    if data.get("schema") != CONFIG_SCHEMA:
        raise UsageError(f"{path}: 'schema' must be {CONFIG_SCHEMA!r}")
    unknown = sorted(str(k) for k in set(data) - _CONFIG_KEYS)
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r} (known: "
                         f"{', '.join(sorted(_CONFIG_KEYS))})")
    base = path.parent
    result = AuditPlan(origin=path, store=_optional_text(data, "store", path))
    for key in ("datasets", "databases"):
        result.datasets += [_dataset(item, base, f"{path} {key}[{index}]")
                            for index, item in enumerate(_list(data, key, path))]
    for index, item in enumerate(_list(data, "egress_logs", path)):
        if not isinstance(item, str):
            raise UsageError(f"{path} egress_logs[{index}]: a path is expected")
        result.egress_logs.append(str(base / item))
    for key in ("transfers", "knowledge"):
        value = _optional_text(data, key, path)
        setattr(result, key, base / value if value else None)
    output = data.get("output") or {}
    if not isinstance(output, dict) or set(output) - _OUTPUT_KEYS:
        raise UsageError(f"{path}: 'output' takes 'dir' and 'formats' only")
    if output.get("dir") is not None:
        result.out = base / str(output["dir"])
    formats = output.get("formats") or []
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise UsageError(f"{path}: 'output.formats' must be a list of format names")
    result.formats = tuple(formats)
    return result


def _dataset(item: Any, base: Path, where: str) -> Dataset:
    if isinstance(item, str):
        item = {"url": item} if "://" in item else {"path": item}
    if not isinstance(item, dict) or len({"path", "url"} & set(item)) != 1 \
            or set(item) - {"path", "url", "tables"}:
        raise UsageError(f"{where}: give one of 'path' or 'url', and optionally 'tables'")
    tables = item.get("tables") or []
    if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
        raise UsageError(f"{where}: 'tables' must be a list of names or globs")
    if "url" in item:
        return Dataset(os.path.expandvars(str(item["url"])), tuple(tables))
    return Dataset(str(base / str(item["path"])), tuple(tables))


def _list(data: Mapping[str, Any], key: str, path: Path) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise UsageError(f"{path}: {key!r} must be a list")
    return value


def _optional_text(data: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{path}: {key!r} must be a string")
    return value


def run_audit(audit: AuditPlan, store: Store, out: Path, formats: Sequence[str],
              notify: Notify | None = None) -> AuditResult:
    """Run every stage with inputs, store the run, write the reports into ``out``."""
    say = notify or (lambda _message: None)
    if audit.empty:
        raise UsageError(f"{audit.origin}: nothing to audit (no data files, egress logs or "
                         "transfers file)")
    check_formats(formats)
    run_id = store.begin_run("audit", {**audit.arguments(), "out": str(out),
                                       "formats": list(formats)})
    problems: list[str] = []
    try:
        inventory = _scan(audit.datasets, problems, say)
        flows = _flows(audit, problems, say)
        findings = _assess(audit, inventory, flows, problems, say)
    except BaseException:
        store.finish_run(run_id, status="failed")
        raise
    store.finish_run(run_id, inventory=inventory, flows=flows, findings=findings)
    document = store.run_document(run_id)
    try:
        written = write_reports(document, out, formats)
    except OSError as error:
        where = error.filename or out
        problems.append(f"cannot write the report to {where}: {error.strerror or error}")
        written = []
    return AuditResult(run_id, document, problems, written)


def _scan(datasets: Sequence[Dataset], problems: list[str],
          say: Notify) -> dict[str, Any] | None:
    if not datasets:
        return None
    say(f"scanning {len(datasets)} data input(s)")
    combined: Inventory | None = None
    by_tables: dict[tuple[str, ...], list[str]] = {}
    for dataset in datasets:
        by_tables.setdefault(dataset.tables, []).append(dataset.target)
    for tables, targets in by_tables.items():
        inventory = scan_targets(targets, ScanOptions(tables=tables))
        if combined is None:
            combined = inventory
        else:
            combined.sources += inventory.sources
            combined.skipped += inventory.skipped
            combined.errors += inventory.errors
    assert combined is not None
    combined.finished_at = now()
    problems += [problem.reason for problem in combined.errors]
    return combined.to_json()


def _flows(audit: AuditPlan, problems: list[str], say: Notify) -> dict[str, Any] | None:
    if not audit.egress_logs:
        return None
    from databorder.attribute.entities import KnowledgeBase
    from databorder.destinations import to_json
    from databorder.engine.flows import run_flows

    say(f"attributing {len(audit.egress_logs)} egress log(s)")
    result = run_flows(audit.egress_logs, KnowledgeBase.bundled(audit.knowledge))
    problems += list(result.problems)
    return to_json(result)


def _assess(audit: AuditPlan, inventory: dict[str, Any] | None, flows: dict[str, Any] | None,
            problems: list[str], say: Notify) -> dict[str, Any] | None:
    """Findings of the rules engine (``databorder.assess``).

    A transfers file or rule pack it cannot read is a problem of this run (exit 1), not the
    end of it: the inventory and the flows are still stored and reported.
    """
    if inventory is None and flows is None and audit.transfers is None:
        return None
    from databorder.assess import assess, findings_document, load_facts

    say("assessing the rules")
    started = now()
    with tempfile.TemporaryDirectory(prefix="databorder-audit-") as scratch:
        paths: list[Path | None] = []
        for name, document in (("inventory.json", inventory), ("flows.json", flows)):
            if document is None:
                paths.append(None)
                continue
            write_json_atomically(document, Path(scratch) / name)
            paths.append(Path(scratch) / name)
        try:
            facts = load_facts(paths[0], paths[1], audit.transfers)
            today = date.today()
            found = assess(facts, today)
        except DataborderError as error:
            problems.append(f"rules not assessed: {error}")
            return None
        document = findings_document(found, started, now(), today)
    return dict(document)


def write_reports(document: dict[str, Any], out: Path, formats: Sequence[str]) -> list[Path]:
    """The run document as ``run.json`` and the report in each format."""
    from databorder.report.render import EXTENSIONS, write_report

    written = [out / RUN_DOCUMENT_NAME]
    write_json_atomically(document, written[0])
    for fmt in formats:
        path = out / _REPORT_NAMES.get(fmt, f"report{EXTENSIONS.get(fmt, '.' + fmt)}")
        write_report(document, fmt, path)
        written.append(path)
    return written


def check_formats(formats: Sequence[str]) -> None:
    """Refuse an unknown report format before anything runs."""
    from databorder.report.render import FORMATS

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown report format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
