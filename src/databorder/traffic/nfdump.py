"""nfdump text exports: ``-o csv`` (with or without ``-q``) and ``-o 'fmt:...'`` with commas.

- ``-o csv`` starts with a ``ts,te,td,sa,da,...`` header and ends with a ``Summary`` block,
  where reading stops. With ``-q`` there is neither; the default nfdump 1.7 column order is
  assumed (``ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,...``).
- ``fmt:`` output has a space-aligned header (``Date first seen   Duration Proto ...``) whose
  titles name the columns, values padded with spaces, byte counts that may be scaled
  (``1.2 M``) and a footer from ``Summary:`` on.
- nfdump abbreviates long IPv6 addresses in ``fmt:`` output (``2003:de..:a08:53``): such an
  address cannot be recovered and gives a null ``dst_ip``/``src_ip``.
- Flows are unidirectional: ``ibyt`` (bytes counted at the input interface, source to
  destination) is ``bytes_out``; ``obyt`` is ``bytes_in`` only when non-zero (NSEL/bidirectional
  exporters). Times are written by nfdump in its local time zone and read as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa

from databorder.errors import ReadError
from databorder.sources.base import BATCH_ROWS, ProgressFn
from databorder.sources.compression import compression_of

from .flow import FlowReader, bounded, to_flow_batch
from .lines import decode, first_lines, numbered_lines

DEFAULT_CSV = ("ts", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "fwd", "stos", "ipkt",
               "ibyt", "opkt", "obyt")
"""The leading columns of nfdump 1.7's ``-o csv`` (the rest are not used)."""
FMT_TITLES = {
    "Date first seen": "ts", "Date flow start": "ts", "Date last seen": "te",
    "Duration": "td", "Proto": "pr", "Src IP Addr": "sa", "Dst IP Addr": "da",
    "Src Pt": "sp", "Dst Pt": "dp", "Packets": "ipkt", "In Pkt": "ipkt", "Out Pkt": "opkt",
    "Bytes": "ibyt", "In Byte": "ibyt", "Out Byte": "obyt", "Flows": "fl", "Flags": "flg",
    "Tos": "stos", "bps": "bps", "pps": "pps", "Bpp": "bpp",
}
_QUIET_ROW = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?,\d{4}-\d\d-\d\d ")
_SCALED = re.compile(r"^([\d.]+)\s*([KMGT]?)$")
_SCALE = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def _fmt_columns(header: str) -> list[str] | None:
    """Column names of a ``fmt:`` header, in order; None when a title is unknown."""
    found: list[tuple[int, str]] = []
    rest = header
    for title in sorted(FMT_TITLES, key=len, reverse=True):
        position = rest.find(title)
        if position >= 0:
            found.append((position, FMT_TITLES[title]))
            rest = rest[:position] + " " * len(title) + rest[position + len(title):]
    if rest.strip():
        return None
    return [name for _, name in sorted(found)]


def _scaled(value: str) -> str | None:
    """``1.2 M`` -> ``1200000``; plain numbers unchanged."""
    match = _SCALED.match(value.strip())
    if not match:
        return None
    number, unit = match.groups()
    return str(round(float(number) * _SCALE[unit]))


class NfdumpReader(FlowReader):
    """nfdump CSV (``-o csv``, also ``-q``) and comma-separated ``fmt:`` output."""

    name: ClassVar[str] = "nfdump"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".txt")
    sniff_order: ClassVar[int] = 30

    def sniff(self, head: bytes) -> bool:
        lines = first_lines(head, 1)
        if not lines:
            return False
        first = lines[0]
        return first.startswith("ts,te,td,sa,da,") or bool(_QUIET_ROW.match(first)) or \
            (first.startswith("Date ") and _fmt_columns(first) is not None)

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        source = str(path)
        columns: list[str] | None = None
        scaled = False
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, line in numbered_lines(path, compression_of(path), progress):
            text = decode(line)
            if not text.strip():
                continue
            if text.startswith("Summary"):
                break
            if columns is None:
                columns, scaled = self._columns(source, number, text)
                if columns is not None and not _QUIET_ROW.match(text):
                    continue
                columns = columns or list(DEFAULT_CSV)
            values = [v.strip() for v in text.split(",")]
            if len(values) < len(columns) or (scaled and len(values) != len(columns)):
                raise ReadError(source, f"expected {len(columns)} fields, found {len(values)}",
                                line=number)
            rows.append(values)
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield from bounded(self._batch(source, columns, scaled, rows, numbers,
                                               extra_columns))
                rows, numbers = [], []
        if rows and columns is not None:
            yield from bounded(self._batch(source, columns, scaled, rows, numbers,
                                           extra_columns))

    @staticmethod
    def _columns(source: str, number: int, first: str) -> tuple[list[str] | None, bool]:
        if first.startswith("ts,te,td,sa,da,"):
            return first.split(","), False
        if _QUIET_ROW.match(first):
            return list(DEFAULT_CSV), False
        fmt = _fmt_columns(first) if first.startswith("Date ") else None
        if fmt is None:
            raise ReadError(source, "not an nfdump header (expected 'ts,te,td,sa,da,...' or "
                            "a 'Date first seen ...' fmt header)", line=number)
        return fmt, True

    @staticmethod
    def _batch(source: str, columns: list[str], scaled: bool, rows: list[list[str]],
               numbers: list[int], extra_columns: Sequence[str]) -> pa.RecordBatch:
        index = {c: i for i, c in enumerate(columns)}

        def values(name: str) -> pl.Series:
            if name not in index:
                return pl.Series(name, [None] * len(rows), dtype=pl.String)
            column = [row[index[name]] for row in rows]
            if scaled and name in ("ibyt", "obyt"):
                column = [_scaled(v) or "" for v in column]
            return pl.Series(name, column, dtype=pl.String)

        frame = pl.DataFrame([values(n) for n in ("ts", "sa", "da", "sp", "dp", "pr",
                                                   "ibyt", "obyt")])

        def address(name: str) -> pl.Expr:
            return pl.when(pl.col(name).str.contains("..", literal=True)).then(None) \
                .otherwise(pl.col(name))

        raw = frame.select(
            pl.col("ts"), address("sa").alias("src_ip"), pl.col("sp").alias("src_port"),
            address("da").alias("dst_ip"), pl.col("dp").alias("dst_port"),
            pl.col("pr").alias("proto"), pl.col("ibyt").alias("bytes_out"),
            pl.when(pl.col("obyt").str.strip_chars() == "0").then(None)
            .otherwise(pl.col("obyt")).alias("bytes_in"),
        ).with_columns(pl.Series("line", numbers, dtype=pl.Int64))
        return to_flow_batch(raw, source, extra_columns)
