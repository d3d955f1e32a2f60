"""A generic CSV of flows, with a mapping from Flow columns to the file's headers.

``GenericCsvReader({"src_ip": "client", "dst_ip": "server", "dst_port": "port",
"ts": "time", "name": "host"})`` reads any CSV with a header line. Unmapped Flow columns are
null; ``ts`` may be epoch seconds or ISO-8601 text; a mapped ``name`` gets
``name_source = log``. ``src_ip`` or ``dst_ip`` must be mapped. The reader takes arguments, so
it is not found automatically: pass it to ``open_logs(..., readers=[...])``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa

from databorder.errors import ReadError, UsageError
from databorder.sources.base import BATCH_ROWS, ProgressFn
from databorder.sources.compression import compression_of

from .flow import FLOW_SCHEMA, FlowReader, bounded, to_flow_batch
from .lines import decode, first_lines, numbered_lines

MAPPABLE = tuple(f for f in FLOW_SCHEMA.names if f not in ("log", "line", "name_source"))


class GenericCsvReader(FlowReader):
    """Comma-separated flows with a header, columns named by ``mapping``."""

    name: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    sniff_order: ClassVar[int] = 90

    def __init__(self, mapping: Mapping[str, str], delimiter: str = ",") -> None:
        unknown = sorted(set(mapping) - set(MAPPABLE))
        if unknown:
            raise UsageError(f"--columns: {unknown[0]!r} is not a Flow column "
                             f"(one of {', '.join(MAPPABLE)})")
        if "src_ip" not in mapping and "dst_ip" not in mapping:
            raise UsageError("--columns must map src_ip or dst_ip")
        self.mapping = dict(mapping)
        self.delimiter = delimiter

    def sniff(self, head: bytes) -> bool:
        lines = first_lines(head, 1)
        if not lines:
            return False
        header = next(csv.reader([lines[0]], delimiter=self.delimiter))
        return set(self.mapping.values()) <= {h.strip() for h in header}

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        source = str(path)
        positions: dict[str, int] | None = None
        width = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, line in numbered_lines(path, compression_of(path), progress):
            text = decode(line).removeprefix("\ufeff")
            if not text.strip():
                continue
            try:
                record = next(csv.reader(io.StringIO(text), delimiter=self.delimiter))
            except csv.Error as exc:
                raise ReadError(source, "malformed CSV line", line=number) from exc
            if positions is None:
                header = [h.strip() for h in record]
                missing = [c for c in self.mapping.values() if c not in header]
                if missing:
                    raise ReadError(source, f"header has no column {missing[0]!r}",
                                    line=number)
                positions = {flow: header.index(col) for flow, col in self.mapping.items()}
                width = len(header)
                continue
            if len(record) != width:
                raise ReadError(source, f"expected {width} fields, found {len(record)}",
                                line=number)
            rows.append(record)
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield from bounded(self._batch(source, positions, rows, numbers,
                                               extra_columns))
                rows, numbers = [], []
        if rows and positions is not None:
            yield from bounded(self._batch(source, positions, rows, numbers, extra_columns))

    @staticmethod
    def _batch(source: str, positions: dict[str, int], rows: list[list[str]],
               numbers: list[int], extra_columns: Sequence[str]) -> pa.RecordBatch:
        raw = pl.DataFrame([pl.Series(flow, [r[i] for r in rows], dtype=pl.String)
                            for flow, i in positions.items()])
        if "name" in raw.columns:
            raw = raw.with_columns(
                pl.when(pl.col("name").str.strip_chars().is_in(["", "-"])).then(None)
                .otherwise(pl.lit("log")).alias("name_source"))
        raw = raw.with_columns(pl.Series("line", numbers, dtype=pl.Int64))
        return to_flow_batch(raw, source, extra_columns)
