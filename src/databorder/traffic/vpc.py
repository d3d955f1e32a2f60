"""AWS VPC Flow Logs: the default version 2 format and custom formats with a header line.

Without a header the fourteen default v2 fields are assumed (``version account-id
interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action
log-status``). A header line (as S3 delivers custom formats, v3 to v5 fields) defines the
field order. Fields are split on runs of whitespace.

- ``NODATA``/``SKIPDATA`` rows carry ``-`` addresses: no source, no destination.
- ``pkt-srcaddr``/``pkt-dstaddr`` are preferred to ``srcaddr``/``dstaddr`` when present: behind
  a NAT or transit gateway ``dstaddr`` is the interface's address, not the packet's destination.
- ``bytes`` counts one direction (``srcaddr`` to ``dstaddr``): it is ``bytes_out``; the reply is
  a separate record.
- ``ts`` is ``start`` (epoch seconds); the protocol number is named (6 -> ``tcp``).
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

DEFAULT_V2 = ("version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport",
              "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status")
_HEADER_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
_V2_ROW = re.compile(r"^2\s+\S+\s+eni-\S+\s+(\S+\s+){10}(OK|NODATA|SKIPDATA)\s*$")
_USED = ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr", "srcport", "dstport", "protocol",
         "bytes", "start")


def _is_header(line: str) -> bool:
    words = line.split()
    return all(_HEADER_WORD.match(w) for w in words) and "dstaddr" in words \
        and "srcaddr" in words


class VpcFlowReader(FlowReader):
    """AWS VPC Flow Logs records (default v2, or any field order given by a header)."""

    name: ClassVar[str] = "aws-vpc"
    suffixes: ClassVar[tuple[str, ...]] = (".log", ".txt")
    sniff_order: ClassVar[int] = 30

    def sniff(self, head: bytes) -> bool:
        lines = first_lines(head, 2)
        return bool(lines) and (_is_header(lines[0]) or bool(_V2_ROW.match(lines[0])))

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        source = str(path)
        fields: tuple[str, ...] = DEFAULT_V2
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, line in numbered_lines(path, compression_of(path), progress):
            text = decode(line)
            words = text.split()
            if not words:
                continue
            if number == 1 and _is_header(text):
                fields = tuple(words)
                continue
            if len(words) != len(fields):
                raise ReadError(source, f"expected {len(fields)} fields, found {len(words)}"
                                + ("" if fields != DEFAULT_V2 else
                                   " (no header line, so the default v2 format is assumed)"),
                                line=number)
            rows.append(words)
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield from bounded(self._batch(source, fields, rows, numbers, extra_columns))
                rows, numbers = [], []
        if rows:
            yield from bounded(self._batch(source, fields, rows, numbers, extra_columns))

    @staticmethod
    def _batch(source: str, fields: tuple[str, ...], rows: list[list[str]],
               numbers: list[int], extra_columns: Sequence[str]) -> pa.RecordBatch:
        index = {f: i for i, f in enumerate(fields)}
        data = {f: pl.Series(f, [row[index[f]] for row in rows], dtype=pl.String)
                for f in _USED if f in index}
        frame = pl.DataFrame(data)

        def col(name: str) -> pl.Expr:
            return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)

        def preferred(packet: str, interface: str) -> pl.Expr:
            value = col(packet)
            return pl.when(value.is_null() | (value == "-")).then(col(interface)) \
                .otherwise(value)

        raw = frame.select(
            col("start").alias("ts"),
            preferred("pkt-srcaddr", "srcaddr").alias("src_ip"),
            col("srcport").alias("src_port"),
            preferred("pkt-dstaddr", "dstaddr").alias("dst_ip"),
            col("dstport").alias("dst_port"),
            col("protocol").alias("proto"),
            col("bytes").alias("bytes_out"),
        ).with_columns(pl.Series("line", numbers, dtype=pl.Int64))
        return to_flow_batch(raw, source, extra_columns)
