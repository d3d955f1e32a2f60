"""Squid ``combined`` access.log (``logformat combined``, Apache-like).

Fields: ``client ident user [time] "METHOD URL HTTP/v" status bytes "referer" "user agent"
code:hierarchy`` (Squid's ``%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h"
"%{User-Agent}>h" %Ss:%Sh``).

- The format logs **no server address**: the destination is the host of the request URL or
  ``CONNECT`` target only. A host name becomes ``name`` (``name_source = proxy_url``) with a
  null ``dst_ip`` — a name-only destination, attributed by its name
  (``ip_scope = unknown``); an IP-literal host (brackets removed from IPv6) becomes ``dst_ip``.
- Rows whose hierarchy code is ``HIER_NONE`` (cache hits, denials, failed look-ups) never left
  the proxy: they are not egress and are not read as flows.
- ``bytes`` is the reply size sent to the client: ``bytes_in``; ``bytes_out`` is not logged.
- The user agent may hold unescaped ``"``: the line is matched from both ends.
- ``[time]`` (``23/Nov/2026:01:15:11 +0000``) is converted to UTC.
"""

from __future__ import annotations

import ipaddress
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
from .squid import host_port

_ROW = re.compile(
    r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Za-z_-]+) (?P<url>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}) (?P<bytes>\d+|-) ".*" (?P<code>[A-Z_]+):(?P<hier>[A-Z_]+)$')
_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"


def _address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


class SquidCombinedReader(FlowReader):
    """Squid's ``combined`` access.log: destinations named by the URL host only."""

    name: ClassVar[str] = "squid-combined"
    suffixes: ClassVar[tuple[str, ...]] = (".log",)
    sniff_order: ClassVar[int] = 31

    def sniff(self, head: bytes) -> bool:
        lines = first_lines(head, 1)
        return bool(lines) and bool(_ROW.match(lines[0]))

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        source = str(path)
        rows: list[tuple[str | None, ...]] = []
        numbers: list[int] = []
        for number, line in numbered_lines(path, compression_of(path), progress):
            text = decode(line).rstrip("\r")
            if not text.strip():
                continue
            match = _ROW.match(text)
            if match is None:
                raise ReadError(source, "not a Squid combined access.log line", line=number)
            if match["hier"] == "HIER_NONE":
                continue
            host, port = host_port(match["method"], match["url"])
            address = _address(host) if host else None
            rows.append((match["time"], match["client"], address, port, match["bytes"],
                         None if address else host))
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield from bounded(_batch(source, rows, numbers, extra_columns))
                rows, numbers = [], []
        if rows:
            yield from bounded(_batch(source, rows, numbers, extra_columns))


def _batch(source: str, rows: list[tuple[str | None, ...]], numbers: list[int],
           extra_columns: Sequence[str]) -> pa.RecordBatch:
    names = ("ts", "src_ip", "dst_ip", "dst_port", "bytes_in", "name")
    raw = pl.DataFrame([pl.Series(n, [r[i] for r in rows], dtype=pl.String)
                        for i, n in enumerate(names)])
    raw = raw.with_columns(
        pl.col("ts").str.to_datetime(_TIME_FORMAT, time_unit="us", strict=False)
        .dt.convert_time_zone("UTC"),
        pl.lit("tcp").alias("proto"),
        pl.when(pl.col("name").is_not_null()).then(pl.lit("proxy_url"))
        .otherwise(None).alias("name_source"),
        pl.Series("line", numbers, dtype=pl.Int64),
    )
    return to_flow_batch(raw, source, extra_columns, ts_parsed=True)
