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
``columns`` asked for, missing ones as nulls). JSON Lines are parsed line by line (a bad line
raises :class:`ReadError` naming it); arrays are streamed with ijson, so memory stays flat. A
single top-level object is one row and is held in memory while it is flattened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import ijson  # type: ignore[import-untyped]
import pyarrow as pa

from databorder.errors import ReadError

from .base import BATCH_ROWS, FileReader, ProgressFn, TableSource
from .compression import open_binary, read_head

MAX_INDEXED_ITEMS = 100
VALUE_COLUMN = "value"


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
    def __init__(self, path: Path, compression: str | None, layout: str) -> None:
        self.path = path
        self.source = str(path)
        self.compression = compression
        self.layout = layout
        self.size_bytes = path.stat().st_size
        self.fields: dict[str, None] = {}
        """Every field seen so far, in order of first appearance."""

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
        with open_binary(self.path, self.compression, progress) as reader:
            pending: list[Row] = []
            for row in self._rows(reader):
                pending.append(row)
                if len(pending) >= BATCH_ROWS:
                    yield rows_to_batch(pending, columns)
                    pending = []
            if pending:
                yield rows_to_batch(pending, columns)

    def _rows(self, reader: BinaryIO) -> Iterator[Row]:
        rows = {"lines": self._lines, "array": self._array, "object": self._object}[self.layout]
        for row in rows(reader):
            self.fields.update(dict.fromkeys(row))
            yield row

    def _lines(self, reader: BinaryIO) -> Iterator[Row]:
        for number, raw in enumerate(reader, start=1):
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
