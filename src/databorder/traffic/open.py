"""Opens egress-log targets (files, folders of rotated logs, ``.gz``/``.zst``) into sources.

A file's reader is the first that recognises its first 64 KiB of decompressed content, readers
asked in ``sniff_order``; among several that do, one whose suffix hints match wins. Files that
no reader takes come back as :class:`Skipped` with ``error`` set, so a folder of mixed logs is
read as far as it can be and the rest is reported. Readers are found automatically: every
concrete :class:`FlowReader` subclass in a module of this package whose constructor needs no
argument; readers that need one (the generic CSV mapping) are passed in ``readers``.

:func:`read_logs` reads everything into one Flow table and one naming table, collecting one
line per input that failed instead of stopping.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa

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
    package = importlib.import_module(__package__ or "databorder.traffic")
    found: list[FlowReader] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name in _NOT_READER_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlowReader) and not inspect.isabstract(cls) \
                    and cls.__module__ == module.__name__ and _no_arguments(cls):
                found.append(cls())
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


def _sources(targets: Sequence[str | Path], readers: Sequence[FlowReader],
             result: ReadLogs) -> Iterator[FlowSource | Skipped]:
    for target in targets:
        try:
            yield from open_logs([target], readers)
        except InputError as exc:
            result.problems.append(str(exc))


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

    When no log of the capture holds connections (only ssl/http/dns logs), the rows of the
    naming logs are used as flows. ``with_uid`` keeps Zeek's ``uid`` for naming by uid.
    """
    extra = ("uid",) if with_uid else ()
    flow_parts: list[pa.RecordBatch] = []
    fallback: list[pa.RecordBatch] = []
    name_parts: list[pa.RecordBatch] = []
    result = ReadLogs(pl.DataFrame(), pl.DataFrame())
    for source in _sources(targets, readers, result):
        if isinstance(source, Skipped):
            result.skipped.append(source)
            if source.error:
                result.problems.append(f"{source.source}: {source.reason}")
            continue
        try:
            flows = list(source.batches(progress, extra))
            names = list(source.names()) if source.kind == "names" else []
        except InputError as exc:
            result.problems.append(str(exc))
            continue
        (flow_parts if source.kind == "flows" else fallback).extend(flows)
        name_parts.extend(names)
    flow_schema = pa.schema(list(FLOW_SCHEMA) + [pa.field(e, EXTRA_COLUMNS[e]) for e in extra])
    parts = flow_parts or fallback
    result.flows = pl.from_arrow(pa.Table.from_batches(parts, schema=flow_schema))  # type: ignore[assignment]
    result.names = pl.from_arrow(pa.Table.from_batches(name_parts, schema=NAME_SCHEMA))  # type: ignore[assignment]
    return result
