"""Apache Parquet files, read row group by row group with column projection.

Struct columns are flattened into dotted names (``device.wifi.bssid``); asking for such a name
reads only that leaf. Primitive columns keep their Arrow type; lists and maps, which are not
primitives, become compact JSON text. Parquet needs random access, so a compressed Parquet file
(``.parquet.gz``) is refused with a clear error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from databorder.errors import InputError, ReadError

from .base import BATCH_ROWS, FileReader, ProgressFn, TableSource, require_uncompressed

PARQUET_MAGIC = b"PAR1"


def leaf_names(schema: pa.Schema) -> list[str]:
    """Dotted names of every non-struct field, depth first."""
    names: list[str] = []

    def walk(field: pa.Field, prefix: str) -> None:
        name = f"{prefix}.{field.name}" if prefix else field.name
        if pa.types.is_struct(field.type):
            for child in field.type:
                walk(child, name)
        else:
            names.append(name)

    for field in schema:
        walk(field, "")
    return names


def flatten_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Struct columns to dotted leaf columns; lists and maps to JSON text."""
    names: list[str] = []
    arrays: list[pa.Array] = []

    def walk(name: str, array: pa.Array) -> None:
        if pa.types.is_struct(array.type):
            for index, child in enumerate(array.type):
                walk(f"{name}.{child.name}", _child(array, index))
        elif pa.types.is_nested(array.type):
            names.append(name)
            arrays.append(_as_json(array))
        else:
            names.append(name)
            arrays.append(array)

    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        walk(name, column)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _child(array: pa.StructArray, index: int) -> pa.Array:
    """A struct's field, null wherever the struct itself is null."""
    child = array.field(index)
    if array.null_count == 0:
        return child
    return pc.if_else(array.is_valid(), child, pa.nulls(len(array), child.type))


def _as_json(array: pa.Array) -> pa.Array:
    def dump(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    return pa.array([dump(v) for v in array.to_pylist()], pa.string())


class ParquetReader(FileReader):
    """Parquet files, any compression codec inside the file."""

    name: ClassVar[str] = "parquet"
    suffixes: ClassVar[tuple[str, ...]] = (".parquet", ".parq", ".pq")
    sniff_order: ClassVar[int] = 5

    def sniff(self, head: bytes) -> bool:
        return head.startswith(PARQUET_MAGIC)

    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        require_uncompressed(path, compression, "Parquet")
        yield ParquetSource(path)


class ParquetSource(TableSource):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)
        self.size_bytes = path.stat().st_size
        try:
            with pq.ParquetFile(path) as parquet:
                self.columns = tuple(leaf_names(parquet.schema_arrow))
        except (pa.ArrowException, OSError) as exc:
            raise ReadError(self.source, "not a valid Parquet file") from exc

    def sample(self, rows: int) -> pa.Table:
        batches = []
        count = 0
        for batch in self._read(None, None, rows):
            batches.append(batch.slice(0, rows - count))
            count += batches[-1].num_rows
            if count >= rows:
                break
        if not batches:
            return pa.table({c: pa.array([], pa.string()) for c in self.columns})
        return pa.Table.from_batches(batches)

    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        return self._read(columns, progress, BATCH_ROWS)

    def _read(
        self, columns: Sequence[str] | None, progress: ProgressFn | None, batch_rows: int,
    ) -> Iterator[pa.RecordBatch]:
        if columns is not None:
            unknown = [c for c in columns if c not in self.columns]
            if unknown:
                raise InputError(self.source, f"no column {unknown[0]!r}")
        try:
            with pq.ParquetFile(self.path) as parquet:
                metadata = parquet.metadata
                group_bytes = [metadata.row_group(i).total_byte_size
                               for i in range(metadata.num_row_groups)]
                total = sum(group_bytes)
                file_size = self.size_bytes or 0
                done = 0
                reported = 0
                for group, size in enumerate(group_bytes):
                    for batch in parquet.iter_batches(
                        batch_size=min(batch_rows, BATCH_ROWS), row_groups=[group],
                        columns=list(columns) if columns is not None else None,
                    ):
                        flat = flatten_batch(batch)
                        yield flat.select(list(columns)) if columns is not None else flat
                    done += size
                    # row groups report their share of the file, so the total is its size
                    position = file_size * done // total if total else file_size
                    if group == len(group_bytes) - 1:
                        position = file_size
                    if progress is not None and position > reported:
                        progress(position - reported)
                    reported = position
        except (pa.ArrowException, OSError) as exc:
            raise ReadError(self.source, "corrupt Parquet data") from exc
