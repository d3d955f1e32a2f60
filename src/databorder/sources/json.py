"""JSON: JSON Lines, a top-level array of objects, or a single top-level object.

Each record becomes one row, flattened into dotted column names:

* nested objects: ``{"device": {"wifi": {"bssid": ...}}}`` -> ``device.wifi.bssid``;
* lists of objects (up to :data:`MAX_INDEXED_ITEMS` items): one column per index and field,
  ``contacts.0.email``, ``contacts.1.email``; longer lists, lists of scalars and mixed lists
  become one column holding the list as compact JSON text (``tags`` -> ``["a","b"]``);
* scalars become strings; numbers keep their source text (``1.50`` stays ``1.50``), booleans
  are ``true`` / ``false``, JSON ``null`` is a null cell;
* a record that is not an object (a bare string or number) goes into the column ``value``.

Fields may vary between records: a batch has the union of the fields of its rows (or exactly the
``columns`` asked for, missing ones as nulls). Arrays are streamed with ijson, so memory stays
flat. A single top-level object is one row and is held in memory while it is flattened.

JSON Lines take a fast path (:mod:`._json_arrow`): chunks of about :data:`CHUNK_BYTES` of whole
lines are parsed by Arrow and flattened column-wise to the same cells, with two differences:
a batch carries the union of the fields of its *chunk* (a field may be all null in a batch), and
non-integral numbers lose their source spelling (``12.50`` -> ``12.5``; integers keep every
digit). A chunk the fast path cannot render exactly is read line by line in Python, which also
names a bad line in its :class:`ReadError`. ``sample`` always uses the Python path.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import ijson  # type: ignore[import-untyped]
import pyarrow as pa

from databorder.errors import ReadError

from . import _json_arrow
from ._json_arrow import MAX_INDEXED_ITEMS, UnsupportedChunkError
from .base import BATCH_ROWS, FileReader, ProgressFn, TableSource
from .compression import (
    ByteProgress,
    decompression_error,
    open_arrow_stream,
    open_binary,
    read_head,
)

VALUE_COLUMN = "value"
CHUNK_BYTES = 8 << 20
"""Decompressed bytes of whole lines handed to Arrow at a time."""


class Number(str):
    """A JSON number kept as its source text."""


Row = dict[str, str | None]
_DECODER = json.JSONDecoder(parse_int=Number, parse_float=Number)


def _layout(head: bytes) -> str:
    """``array``, ``lines`` or ``object`` from the first bytes."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        return "array"
    first_line = text.split(b"\n", 1)[0]
    try:
        json.loads(first_line)
        return "lines"
    except ValueError:
        return "object"


def to_text(value: Any) -> str | None:
    """A scalar as a cell; lists and objects as compact JSON text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    return _dump(value)


def _dump(value: Any) -> str:
    if type(value) is list and all(type(v) is str for v in value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Number | int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def flatten(value: Any, prefix: str = "", out: Row | None = None) -> Row:
    """One record as ``{dotted.path: text}``."""
    row: Row = {} if out is None else out
    kind = type(value)
    if kind is str or kind is Number:
        row[prefix or VALUE_COLUMN] = value
    elif kind is dict:
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), row)
    elif (kind is list and value and len(value) <= MAX_INDEXED_ITEMS
          and all(type(item) is dict for item in value)):
        for index, item in enumerate(value):
            flatten(item, f"{prefix}.{index}" if prefix else str(index), row)
    else:
        row[prefix or VALUE_COLUMN] = to_text(value)
    return row


def rows_to_batch(rows: list[Row], columns: Sequence[str] | None) -> pa.RecordBatch:
    if columns is None:
        names: dict[str, None] = {}
        for row in rows:
            names.update(dict.fromkeys(row))
        columns = list(names)
    arrays = [pa.array([row.get(c) for row in rows], pa.string()) for c in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _bounded(rows: Iterable[Row], columns: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    pending: list[Row] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= BATCH_ROWS:
            yield rows_to_batch(pending, columns)
            pending = []
    if pending:
        yield rows_to_batch(pending, columns)


def _line_chunks(blocks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """``(number of the first line, whole lines)`` pieces, cut after the last newline of a block."""
    line = 1
    rest = b""
    for block in blocks:
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a chunk: keep reading until it ends
            rest = data
            continue
        chunk, rest = data[:cut], data[cut:]
        yield line, chunk
        line += chunk.count(b"\n")
    if rest:
        yield line, rest


def _wanted(columns: Sequence[str] | None) -> Callable[[str], bool]:
    """Whether a flattened name is, or leads to, one of ``columns``."""
    if columns is None:
        return lambda name: True
    exact = set(columns)
    prefixes = {c[: i] for c in columns for i, char in enumerate(c) if char == "."}
    return lambda name: name in exact or name in prefixes


class JsonReader(FileReader):
    """JSON Lines, JSON arrays of objects and single JSON objects."""

    name: ClassVar[str] = "json"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson", ".geojson")
    sniff_order: ClassVar[int] = 30

    def sniff(self, head: bytes) -> bool:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text.startswith(b"{"):
            return True
        # ``[`` also opens log lines such as ``[2024-05-01 12:00] ...``: ask for an object
        return text.startswith(b"[") and text[1:].lstrip()[:1] in (b"{", b"]")

    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        yield JsonSource(path, compression, _layout(read_head(path, compression)))


class JsonSource(TableSource):
    fast: bool = True
    """JSON Lines through Arrow (:mod:`._json_arrow`); False keeps everything in Python."""

    def __init__(self, path: Path, compression: str | None, layout: str) -> None:
        self.path = path
        self.source = str(path)
        self.compression = compression
        self.layout = layout
        self.size_bytes = path.stat().st_size
        self.fields: dict[str, None] = {}
        """Every field seen so far (of those read, when ``batches`` is given ``columns``)."""
        self._dates: pa.Schema | None = None
        """Fields the fast path must parse as strings: Arrow would take them for timestamps."""
        self._known: pa.Schema | None = None
        """The types of the previous chunk, imposed on the next one (saves Arrow's inference)."""

    def sample(self, rows: int) -> pa.Table:
        collected: list[Row] = []
        with open_binary(self.path, self.compression) as reader:
            for row in self._rows(reader):
                collected.append(row)
                if len(collected) >= rows:
                    break
        if not collected:
            return pa.table({})
        return pa.Table.from_batches([rows_to_batch(collected, None)])

    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        if self.layout == "lines" and self.fast:
            with open_arrow_stream(self.path, self.compression, progress) as (stream, reporter):
                for first_line, chunk in _line_chunks(self._blocks(stream, reporter)):
                    yield from self._chunk_batches(chunk, first_line, columns)
            return
        with open_binary(self.path, self.compression, progress) as reader:
            yield from _bounded(self._rows(reader), columns)

    def _blocks(self, stream: pa.NativeFile, reporter: ByteProgress) -> Iterator[bytes]:
        """Decompressed blocks of :data:`CHUNK_BYTES`, read straight from Arrow (no copy)."""
        while True:
            try:
                block = stream.read(CHUNK_BYTES)
            except OSError as exc:
                raise decompression_error(self.source, self.compression, exc) from exc
            reporter.report()
            if not block:
                return
            yield block

    def _chunk_batches(
        self, chunk: bytes, first_line: int, columns: Sequence[str] | None
    ) -> Iterator[pa.RecordBatch]:
        try:
            flat, rows = self._arrow_columns(chunk, _wanted(columns))
        except UnsupportedChunkError:
            yield from _bounded(self._tracked(self._lines(io.BytesIO(chunk), first_line)), columns)
            return
        self.fields.update(dict.fromkeys(flat))
        if columns is None:
            columns = list(flat)
        nulls = pa.nulls(rows, pa.string())
        arrays = [flat.get(name, nulls) for name in columns]
        batch = pa.RecordBatch.from_arrays(arrays, names=list(columns))
        for offset in range(0, rows, BATCH_ROWS):
            yield batch.slice(offset, BATCH_ROWS)

    def _arrow_columns(
        self, chunk: bytes, wanted: Callable[[str], bool]
    ) -> tuple[_json_arrow.Columns, int]:
        table = self._parse(chunk)
        return _json_arrow.flatten_table(table, wanted), table.num_rows

    def _parse(self, chunk: bytes) -> pa.Table:
        table: pa.Table | None = None
        if self._known is not None:
            # a field that changed type (or a broken line) fails here: infer afresh below
            with contextlib.suppress(UnsupportedChunkError):
                table = _json_arrow.read_lines(chunk, self._known)
        if table is None:
            table = _json_arrow.read_lines(chunk, self._dates)
        as_strings = _json_arrow.timestamps_as_strings(table.schema)
        if as_strings is not None:  # strings Arrow took for timestamps: parse them as strings
            known = [as_strings] if self._dates is None else [self._dates, as_strings]
            try:
                self._dates = pa.unify_schemas(known, promote_options="permissive")
            except pa.ArrowException as exc:  # a field both a date and an object
                raise UnsupportedChunkError from exc
            table = _json_arrow.read_lines(chunk, self._dates)
        self._known = _json_arrow.known_types(table.schema)
        return table

    def _rows(self, reader: BinaryIO) -> Iterator[Row]:
        rows = {"lines": self._lines, "array": self._array, "object": self._object}[self.layout]
        return self._tracked(rows(reader))

    def _tracked(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.fields.update(dict.fromkeys(row))
            yield row

    def _lines(self, reader: BinaryIO, first_line: int = 1) -> Iterator[Row]:
        for number, raw in enumerate(reader, start=first_line):
            if not raw.strip():
                continue
            try:
                record = _DECODER.decode(raw.decode("utf-8", errors="replace"))
            except ValueError as exc:
                raise ReadError(self.source, "invalid JSON", line=number) from exc
            yield flatten(record)

    def _array(self, reader: BinaryIO) -> Iterator[Row]:
        yield from self._ijson_rows(ijson.items(reader, "item"), "array element")

    def _object(self, reader: BinaryIO) -> Iterator[Row]:
        yield from self._ijson_rows(ijson.items(reader, ""), "object")

    def _ijson_rows(self, items: Iterable[Any], what: str) -> Iterator[Row]:
        count = 0
        try:
            for item in items:
                count += 1
                yield flatten(item)
        except ijson.JSONError as exc:
            # ijson's message quotes the input: keep only which element failed
            raise ReadError(self.source, f"invalid JSON in {what} {count + 1}") from exc
