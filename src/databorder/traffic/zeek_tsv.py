"""Zeek ASCII (TSV) logs: ``conn.log``, ``dns.log``, ``ssl.log``, ``http.log`` and the rest.

The header is honoured as Zeek writes it: ``#separator`` (``\\x09``, or any other string such
as ``||``), ``#set_separator``, ``#empty_field``, ``#unset_field``, ``#path``, ``#fields`` and
``#types``. A header block may appear again mid-file (concatenated or rotated logs, btest
baselines) and may change the columns; ``###`` banner lines, ``#open``/``#close`` (present or
not, tab or space) are ignored. The time column is ``ts``, else the first ``time``-typed field.
Unset and empty values are null; timestamps that are not numbers (btest's
``XXXXXXXXXX.XXXXXX``) are null.

Rows are gathered into chunks of lines and split by Arrow's CSV parser when the separator is a
single byte (only the needed columns are converted); a multi-byte separator is split in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from databorder.errors import ReadError
from databorder.sources.base import BATCH_ROWS, ProgressFn
from databorder.sources.compression import compression_of

from ._zeek import (
    WANTED,
    flow_columns,
    name_columns,
    normalise_field,
    path_kind,
    unescape,
    unescape_names,
)
from .flow import FlowReader, Kind, bounded, to_flow_batch, to_name_batch
from .lines import decode, first_lines, line_blocks


@dataclass
class Header:
    separator: bytes = b"\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    path: str | None = None
    fields: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    def time_field(self) -> str | None:
        if "ts" in self.fields:
            return "ts"
        return next((f for f, t in zip(self.fields, self.types, strict=False) if t == "time"),
                    None)


def _only_data(block: bytes) -> bool:
    """No header, blank or CRLF line in the block: every line is a record, in order."""
    return bool(block) and not block.startswith((b"#", b"\n")) and b"\n#" not in block \
        and b"\n\n" not in block and b"\r" not in block


@dataclass
class Chunk:
    header: Header
    frame: pl.DataFrame


def _directive(line: bytes, header: Header) -> tuple[str, str]:
    """``#name<separator>value`` (``#separator`` itself uses a space)."""
    text = decode(line[1:])
    if text.startswith("separator "):
        return "separator", text[len("separator "):]
    sep = decode(header.separator)
    name, found, value = text.partition(sep)
    if not found:  # ``#open XXXX`` after btest canonification
        name, _, value = text.partition(" ")
    return name, value


class ZeekTsvReader(FlowReader):
    """Zeek's default ASCII logs with ``#fields``/``#types`` headers."""

    name: ClassVar[str] = "zeek-tsv"
    suffixes: ClassVar[tuple[str, ...]] = (".log",)
    sniff_order: ClassVar[int] = 10

    def sniff(self, head: bytes) -> bool:
        lines = [line for line in first_lines(head, 3) if not line.startswith("###")]
        return bool(lines) and lines[0].startswith("#separator ")

    def kind(self, head: bytes, path: Path) -> Kind:
        return self._path_kind(head, path)[1]

    def _path_kind(self, head: bytes, path: Path) -> tuple[str, Kind]:
        zeek_path = None
        separator = "\t"
        for line in first_lines(head, 12):
            if line.startswith("#separator "):
                separator = unescape(line[len("#separator "):])
            elif line.startswith("#path"):
                zeek_path = line[len("#path"):].removeprefix(separator).strip() or None
        return path_kind(zeek_path, path)

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        for chunk in self._chunks(path, progress):
            zeek_path = path_kind(chunk.header.path, path)[0]
            raw = flow_columns(unescape_names(chunk.frame), zeek_path)
            yield from bounded(to_flow_batch(raw, str(path), extra_columns))

    def names(self, path: Path, progress: ProgressFn | None = None) -> Iterator[pa.RecordBatch]:
        for chunk in self._chunks(path, progress):
            zeek_path = path_kind(chunk.header.path, path)[0]
            raw = name_columns(unescape_names(chunk.frame), zeek_path)
            if raw.height:
                yield from bounded(to_name_batch(raw, str(path)))

    def _chunks(self, path: Path, progress: ProgressFn | None) -> Iterator[Chunk]:
        """Parsed rows, a block of data lines at a time; header lines are read one by one."""
        header = Header()
        lines: list[bytes] = []
        numbers: list[int] = []
        source = str(path)
        for first, block in line_blocks(path, compression_of(path), progress):
            if header.fields and _only_data(block):
                if lines:
                    yield self._parse(source, header, b"\n".join(lines), numbers)
                    lines, numbers = [], []
                count = block.count(b"\n") + 1
                yield self._parse(source, header, block, range(first, first + count))
                continue
            for number, line in enumerate(block.split(b"\n"), start=first):
                line = line.rstrip(b"\r")
                if line.startswith(b"#"):
                    if line.startswith(b"###"):
                        continue
                    if lines:
                        yield self._parse(source, header, b"\n".join(lines), numbers)
                        lines, numbers = [], []
                    header = self._read_directive(source, number, line, header)
                    continue
                if not line.strip():
                    continue
                if not header.fields:
                    raise ReadError(source, "data before any #fields header line",
                                    line=number)
                lines.append(line)
                numbers.append(number)
                if len(lines) >= BATCH_ROWS:
                    yield self._parse(source, header, b"\n".join(lines), numbers)
                    lines, numbers = [], []
        if lines:
            yield self._parse(source, header, b"\n".join(lines), numbers)

    @staticmethod
    def _read_directive(source: str, number: int, line: bytes, header: Header) -> Header:
        name, value = _directive(line, header)
        sep = decode(header.separator)
        if name == "separator":
            separator = unescape(value).encode("latin-1", errors="replace")
            if not separator:
                raise ReadError(source, "empty #separator", line=number)
            return Header(separator=separator)  # a new header block starts
        if name == "set_separator":
            header.set_separator = unescape(value)
        elif name == "empty_field":
            header.empty = value
        elif name == "unset_field":
            header.unset = value
        elif name == "path":
            header.path = value.strip() or None
        elif name == "fields":
            header.fields = [normalise_field(f) for f in value.split(sep)]
            header.types = []
            if len(set(header.fields)) != len(header.fields):
                raise ReadError(source, "#fields names a column twice", line=number)
        elif name == "types":
            header.types = value.split(sep)
        return header

    def _parse(self, source: str, header: Header, data: bytes,
               numbers: Sequence[int]) -> Chunk:
        renames = {header.time_field() or "ts": "ts"}
        wanted = [f for f in header.fields if renames.get(f, f) in WANTED]
        if len(header.separator) == 1:
            columns = self._split_arrow(source, header, data, numbers, wanted)
        else:
            columns = self._split_python(source, header, data, numbers, wanted)
        frame = pl.DataFrame(columns).rename(renames, strict=False)
        nulls = [header.unset, header.empty]
        frame = frame.with_columns(
            pl.when(pl.col(c).is_in(nulls)).then(None).otherwise(pl.col(c)).alias(c)
            for c in frame.columns
        )
        if "answers" in frame.columns:
            frame = frame.with_columns(pl.col("answers").str.split(header.set_separator))
        line = pl.int_range(numbers.start, numbers.stop, dtype=pl.Int64, eager=True) \
            if isinstance(numbers, range) else pl.Series(numbers, dtype=pl.Int64)
        frame = frame.with_columns(line.alias("line"))
        return Chunk(header, frame)

    @staticmethod
    def _field_count_error(source: str, header: Header, data: bytes,
                           numbers: Sequence[int]) -> ReadError:
        expected = len(header.fields)
        for number, line in zip(numbers, data.split(b"\n"), strict=True):
            found = line.count(header.separator) + 1
            if found != expected:
                return ReadError(source, f"expected {expected} fields as #fields says, "
                                 f"found {found}", line=number)
        return ReadError(source, "malformed Zeek TSV row", line=numbers[0])

    def _split_arrow(self, source: str, header: Header, data: bytes,
                     numbers: Sequence[int], wanted: list[str]) -> dict[str, pa.Array]:
        try:
            table = pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(column_names=header.fields, block_size=4 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=decode(header.separator), quote_char=False,
                    escape_char=False, double_quote=False, ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=wanted, column_types={f: pa.binary() for f in wanted}),
            )
        except pa.ArrowInvalid as exc:
            raise self._field_count_error(source, header, data, numbers) from exc
        out: dict[str, pa.Array] = {}
        for name in wanted:
            column = table.column(name).combine_chunks()
            try:
                out[name] = column.cast(pa.string())
            except pa.ArrowInvalid:
                out[name] = pa.array([None if v is None else decode(v)
                                      for v in column.to_pylist()], pa.string())
        return out

    def _split_python(self, source: str, header: Header, data: bytes,
                      numbers: Sequence[int], wanted: list[str]) -> dict[str, list[str]]:
        rows = [line.split(header.separator) for line in data.split(b"\n")]
        expected = len(header.fields)
        if any(len(row) != expected for row in rows):
            raise self._field_count_error(source, header, data, numbers)
        index = {f: i for i, f in enumerate(header.fields)}
        return {name: [decode(row[index[name]]) for row in rows] for name in wanted}
