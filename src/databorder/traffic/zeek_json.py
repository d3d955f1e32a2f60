"""Zeek JSON logs (``LogAscii::use_json`` or json-streaming-logs): one object per line.

``ts`` may be an epoch float or an ISO-8601 string; unset fields are omitted; ``_path`` and
``_write_ts`` may be present; ``id_resp_h`` style keys are normalised as in TSV. Lines starting
with ``#`` (btest banners) and blank lines are skipped. A line that is not valid JSON (btest's
``"ts":XXXXXXXXXX.XXXXXX``) raises :class:`ReadError` naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
import pyarrow as pa

from databorder.errors import ReadError
from databorder.sources.base import BATCH_ROWS, ProgressFn
from databorder.sources.compression import compression_of

from ._zeek import WANTED, flow_columns, name_columns, normalise_field, path_kind
from .flow import FlowReader, Kind, bounded, to_flow_batch, to_name_batch
from .lines import first_lines, numbered_lines

_SIGNS = ('"id.orig_h"', '"id_orig_h"', '"_path"')


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class ZeekJsonReader(FlowReader):
    """Zeek logs written as JSON lines."""

    name: ClassVar[str] = "zeek-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".ndjson", ".log")
    sniff_order: ClassVar[int] = 20

    def sniff(self, head: bytes) -> bool:
        lines = [line for line in first_lines(head, 3) if not line.startswith("#")]
        return bool(lines) and lines[0].lstrip().startswith("{") and \
            any(sign in lines[0] for sign in _SIGNS)

    def kind(self, head: bytes, path: Path) -> Kind:
        lines = [line for line in first_lines(head, 3) if not line.startswith("#")]
        zeek_path = None
        if lines:
            try:
                record = json.loads(lines[0])
                zeek_path = record.get("_path") if isinstance(record, dict) else None
            except ValueError:
                pass
        return path_kind(zeek_path, path)[1]

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        for zeek_path, frame in self._chunks(path, progress):
            yield from bounded(to_flow_batch(flow_columns(frame, zeek_path), str(path),
                                             extra_columns))

    def names(self, path: Path, progress: ProgressFn | None = None) -> Iterator[pa.RecordBatch]:
        for zeek_path, frame in self._chunks(path, progress):
            raw = name_columns(frame, zeek_path)
            if raw.height:
                yield from bounded(to_name_batch(raw, str(path)))

    def _chunks(self, path: Path,
                progress: ProgressFn | None) -> Iterator[tuple[str, pl.DataFrame]]:
        source = str(path)
        columns: dict[str, list[Any]] = {name: [] for name in WANTED}
        numbers: list[int] = []
        zeek_path: str | None = None
        for number, line in numbered_lines(path, compression_of(path), progress):
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                continue
            try:
                record = json.loads(stripped)
            except ValueError as exc:
                raise ReadError(source, f"not valid JSON ({type(exc).__name__} at column "
                                f"{getattr(exc, 'colno', '?')})", line=number) from exc
            if not isinstance(record, dict):
                raise ReadError(source, "a line is not a JSON object", line=number)
            if zeek_path is None:
                zeek_path = path_kind(record.get("_path"), path)[0]
            fields = {normalise_field(k): v for k, v in record.items()}
            for name in WANTED:
                value = fields.get(name)
                if name == "answers":
                    columns[name].append([str(v) for v in value] if isinstance(value, list)
                                         else None)
                else:
                    columns[name].append(_text(value))
            numbers.append(number)
            if len(numbers) >= BATCH_ROWS:
                yield zeek_path, self._frame(columns, numbers)
                columns, numbers = {name: [] for name in WANTED}, []
        if numbers:
            yield zeek_path or path_kind(None, path)[0], self._frame(columns, numbers)

    @staticmethod
    def _frame(columns: dict[str, list[Any]], numbers: list[int]) -> pl.DataFrame:
        data = {name: pl.Series(name, values,
                                dtype=pl.List(pl.String) if name == "answers" else pl.String)
                for name, values in columns.items()}
        data["line"] = pl.Series("line", numbers, dtype=pl.Int64)
        return pl.DataFrame(data)
