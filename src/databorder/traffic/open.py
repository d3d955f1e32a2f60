"""Opens egress-log targets (files, folders of rotated logs, ``.gz``/``.zst``) into sources.

A file's reader is the first that recognises its first 64 KiB of decompressed content, readers
asked in ``sniff_order``; among several that do, one whose suffix hints match wins. Files that
no reader takes come back as :class:`Skipped` with ``error`` set, so a folder of mixed logs is
read as far as it can be and the rest is reported. Readers are found automatically: every
concrete :class:`FlowReader` subclass in a module of this package whose constructor needs no
argument; readers that need one (the generic CSV mapping) are passed in ``readers``.

:func:`open_targets`, :func:`read_names` and :func:`flow_files` stream: the naming records first
(dns/ssl/http logs, usually much smaller), then the flows one file and one batch at a time.
:func:`read_logs` reads everything into one Flow table and one naming table. Both collect one
line per input that failed instead of stopping.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa

from databorder.discovery import concrete_subclasses
from databorder.errors import InputError
from databorder.sources.base import ProgressFn
from databorder.sources.compression import compression_of, format_suffix, read_head
from databorder.sources.open import Skipped, binary_kind, walk

from .flow import EXTRA_COLUMNS, FLOW_SCHEMA, NAME_SCHEMA, FlowReader, Kind

_NOT_READER_MODULES = {"flow", "open", "lines", "naming"}


@dataclass(frozen=True)
class FlowSource:
    """One log file and the reader that understands it."""

    path: Path
    reader: FlowReader
    kind: Kind
    size_bytes: int

    @property
    def source(self) -> str:
        return str(self.path)

    def batches(self, progress: ProgressFn | None = None,
                extra_columns: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
        return self.reader.batches(self.path, progress, extra_columns)

    def names(self, progress: ProgressFn | None = None) -> Iterator[pa.RecordBatch]:
        return self.reader.names(self.path, progress)


@cache
def flow_readers() -> tuple[FlowReader, ...]:
    """One instance of every argument-free reader, in sniffing order."""
    package = __package__ or "databorder.traffic"
    classes = concrete_subclasses(package, FlowReader, _NOT_READER_MODULES)
    found: list[FlowReader] = [cls() for cls in classes if _no_arguments(cls)]
    return tuple(sorted(found, key=lambda r: (r.sniff_order, r.name)))


def _no_arguments(cls: type) -> bool:
    parameters = list(inspect.signature(cls).parameters.values())
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in parameters)


def choose_reader(path: Path, head: bytes,
                  readers: Sequence[FlowReader]) -> FlowReader | None:
    sniffed = [r for r in readers if r.sniff(head)]
    suffix = format_suffix(path)
    hinted = [r for r in sniffed if suffix in r.suffixes]
    chosen = hinted or sniffed
    return chosen[0] if chosen else None


def open_log(path: Path, readers: Sequence[FlowReader] = ()) -> FlowSource | Skipped:
    """The source of one file, or why it is skipped (``error`` set: not a known log format)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), "cannot be read") from exc
    if size == 0:
        return Skipped(str(path), "empty file")
    compression = compression_of(path)
    head = read_head(path, compression)
    if not head.strip():
        return Skipped(str(path), "empty file" if not head else "only whitespace")
    kind = binary_kind(head)
    if kind is not None:
        return Skipped(str(path), f"binary file ({kind})", error=True)
    candidates = tuple(readers) + flow_readers()
    reader = choose_reader(path, head, candidates)
    if reader is None:
        return Skipped(str(path), "line 1: not a known egress-log format (Zeek TSV/JSON, "
                       "VPC Flow Logs, nfdump, Squid access.log)", error=True)
    return FlowSource(path, reader, reader.kind(head, path), size)


def open_logs(targets: Sequence[str | Path],
              readers: Sequence[FlowReader] = ()) -> Iterator[FlowSource | Skipped]:
    """Sources of files and folders (recursively, sorted: rotated sets read in order).

    ``readers`` are asked before the automatic ones (a :class:`GenericCsvReader`). A missing
    target raises :class:`InputError`; a file that cannot be opened (unreadable, compressed
    stream broken before its first 64 KiB) is Skipped with ``error`` set.
    """
    for target in targets:
        path = Path(target)
        if not path.exists():
            raise InputError(str(target), "no such file or directory")
        files = walk(path) if path.is_dir() else iter([path])
        for file in files:
            try:
                yield open_log(file, readers)
            except InputError as exc:
                yield Skipped(exc.source, exc.reason, error=True)


@dataclass
class LogSet:
    """Targets opened (heads sniffed, nothing read yet), what was skipped and what failed.

    Problems are kept in the order of the inputs, whichever reading pass found them.
    """

    sources: list[FlowSource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    _failures: list[tuple[int, str]] = field(default_factory=list)
    _positions: dict[int, int] = field(default_factory=dict)
    _failed: set[int] = field(default_factory=set)
    _opened: int = 0

    @property
    def problems(self) -> list[str]:
        """One line per input that failed (``file:line: reason``), in input order."""
        return [message for _, message in sorted(self._failures, key=lambda f: f[0])]

    def fail(self, source: FlowSource, message: str) -> None:
        self._failed.add(id(source))
        self._failures.append((self._positions[id(source)], message))

    def failed(self, source: FlowSource) -> bool:
        return id(source) in self._failed

    def of_kind(self, *kinds: Kind) -> list[FlowSource]:
        return [s for s in self.sources if s.kind in kinds]

    def _add(self, entry: FlowSource | Skipped | str) -> None:
        position = self._opened
        self._opened += 1
        if isinstance(entry, FlowSource):
            self._positions[id(entry)] = position
            self.sources.append(entry)
            return
        if isinstance(entry, Skipped):
            self.skipped.append(entry)
            if not entry.error:
                return
            entry = f"{entry.source}: {entry.reason}"
        self._failures.append((position, entry))


def open_targets(targets: Sequence[str | Path], readers: Sequence[FlowReader] = ()) -> LogSet:
    """Every log under ``targets`` opened; a missing target is a problem, not an exception."""
    logs = LogSet()
    for target in targets:
        try:
            for entry in open_logs([target], readers):
                logs._add(entry)
        except InputError as exc:
            logs._add(str(exc))
    return logs


def read_names(logs: LogSet, progress: ProgressFn | None = None) -> pl.DataFrame:
    """Naming records (NAME_SCHEMA) of every ``names``-kind log; one that fails gives none."""
    parts: list[pa.RecordBatch] = []
    for source in logs.of_kind("names"):
        try:
            parts.extend(source.names(progress))
        except InputError as exc:
            logs.fail(source, str(exc))
    return pl.DataFrame(pl.from_arrow(pa.Table.from_batches(parts, schema=NAME_SCHEMA)))


class FlowFile:
    """The flow batches of one log, read once, in order.

    A read error ends the batches and is recorded in the :class:`LogSet` (``failed`` is then
    true): a caller that folds batches should keep a file's partial result apart until the file
    is read to its end, so that a failed file counts for nothing, as it always did.
    """

    def __init__(self, source: FlowSource, logs: LogSet, extra: Sequence[str],
                 progress: ProgressFn | None) -> None:
        self.source = source
        self.rows = 0
        self.failed = False
        self._logs = logs
        self._extra = tuple(extra)
        self._progress = progress

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.source.batches(self._progress, self._extra):
                self.rows += batch.num_rows
                yield batch
        except InputError as exc:
            self.failed = True
            self._logs.fail(self.source, str(exc))


def flow_files(logs: LogSet, with_uid: bool = True,
               progress: ProgressFn | None = None) -> Iterator[FlowFile]:
    """The ``flows``-kind logs, one :class:`FlowFile` each; iterate each before the next.

    When none of them yields a row, the rows of the other logs (naming and event logs of a
    capture without conn.log) are the flows. Naming logs whose names were read are read again
    without ``progress`` (their bytes were counted then); logs left unread advance ``progress``
    by their size, so a progress bar ends full.
    """
    extra = ("uid",) if with_uid else ()
    counted = 0
    for source in logs.of_kind("flows"):
        file = FlowFile(source, logs, extra, progress)
        yield file
        counted += 0 if file.failed else file.rows
    others = [s for s in logs.of_kind("names", "events") if not logs.failed(s)]
    if counted:
        if progress is not None:
            for source in others:
                if source.kind == "events":
                    progress(source.size_bytes)
        return
    for source in others:
        yield FlowFile(source, logs, extra, progress if source.kind == "events" else None)


def flow_table(files: Iterator[FlowFile], with_uid: bool = True) -> pl.DataFrame:
    """The batches of files read to their end, as one table (FLOW_SCHEMA, ``uid`` if asked)."""
    extra = ("uid",) if with_uid else ()
    schema = pa.schema(list(FLOW_SCHEMA) + [pa.field(e, EXTRA_COLUMNS[e]) for e in extra])
    parts: list[pa.RecordBatch] = []
    for file in files:
        batches = list(file)
        if not file.failed:
            parts.extend(batches)
    return pl.DataFrame(pl.from_arrow(pa.Table.from_batches(parts, schema=schema)))


@dataclass
class ReadLogs:
    """Everything read from a set of targets."""

    flows: pl.DataFrame
    names: pl.DataFrame
    problems: list[str] = field(default_factory=list)
    """One line per input that failed (``file:line: reason``); the others were read."""
    skipped: list[Skipped] = field(default_factory=list)


def read_logs(targets: Sequence[str | Path], readers: Sequence[FlowReader] = (),
              with_uid: bool = True, progress: ProgressFn | None = None) -> ReadLogs:
    """Flows of ``flows``-kind logs, naming records of ``names``-kind logs, and the problems.

    Everything in memory: for large captures stream instead (:func:`open_targets`,
    :func:`read_names`, :func:`flow_files`, as ``databorder flows`` does). When no log of the
    capture holds connections (only ssl/http/dns logs), the rows of the other logs are used as
    flows. ``with_uid`` keeps Zeek's ``uid`` for naming by uid.
    """
    logs = open_targets(targets, readers)
    names = read_names(logs, progress)
    flows = flow_table(flow_files(logs, with_uid, progress), with_uid)
    return ReadLogs(flows, names, logs.problems, logs.skipped)
