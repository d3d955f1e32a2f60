"""Squid native ``access.log`` (``logformat squid``).

Fields: ``time elapsed client code/status bytes method URL user hierarchy/server type``.

- The destination's name is the host of the request URL, or the ``host:port`` target of a
  ``CONNECT`` (brackets removed from IPv6 literals): ``name_source = proxy_url``.
- The server address is the part after ``/`` in the hierarchy field (``HIER_DIRECT/1.2.3.4``,
  bare IPv6 there). Rows with ``HIER_NONE`` there (cache hits, denials, failed look-ups) never
  left the proxy: they are not egress and are not read as flows.
- ``bytes`` is the reply size sent to the client: ``bytes_in``; Squid's native format does not
  log the request size, so ``bytes_out`` is null.
- ``src_ip`` is the client, ``dst_port`` the URL's port (80 for ``http:``, 443 for ``https:``
  and CONNECT targets without one), ``proto`` ``tcp``.

The ``combined`` (Apache-like) format is read by :mod:`databorder.traffic.squid_combined`.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa

from databorder.errors import ReadError
from databorder.sources.base import BATCH_ROWS, ProgressFn
from databorder.sources.compression import compression_of

from .flow import FlowReader, bounded, to_flow_batch
from .lines import decode, first_lines, numbered_lines

_ROW = re.compile(r"^\d{9,10}(\.\d+)?\s+-?\d+\s+\S+\s+[A-Z_]+/\d{3}\s+\d+\s+\S+\s+\S+\s+\S+\s+"
                  r"[A-Z_]+/\S+")
_URL = re.compile(r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?:[^@/]*@)?"
                  r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:/?#\[\]]+))(?::(?P<port>\d+))?")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21", "ws": "80", "wss": "443"}
FIELDS = 10


def host_port(method: str, url: str) -> tuple[str | None, str | None]:
    match = _URL.match(url)
    if match is None:
        return None, None
    host = match["v6"] or match["host"]
    port = match["port"]
    if port is None:
        scheme = (match["scheme"] or "").lower()
        port = "443" if method == "CONNECT" else _DEFAULT_PORTS.get(scheme)
    return (host.lower().rstrip(".") if host else None), port


class ProxyLogReader(FlowReader):
    """A proxy access log: one line per request, each line of the format's ``row`` pattern;
    subclasses turn lines into :data:`ProxyRecord` and :func:`proxy_flow_batches` does the
    rest (``ts`` in ``time_format`` when set, else epoch seconds)."""

    row: ClassVar[re.Pattern[str]]
    time_format: ClassVar[str | None] = None

    def sniff(self, head: bytes) -> bool:
        lines = first_lines(head, 1)
        return bool(lines) and bool(self.row.match(lines[0]))

    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        source = str(path)
        yield from proxy_flow_batches(source, self._records(source, path, progress),
                                      extra_columns, time_format=self.time_format)

    @abstractmethod
    def _records(self, source: str, path: Path,
                 progress: ProgressFn | None) -> Iterator[ProxyRecord]:
        """The records of the egress rows, with their line numbers."""


class SquidReader(ProxyLogReader):
    """Squid's native access.log."""

    name: ClassVar[str] = "squid"
    suffixes: ClassVar[tuple[str, ...]] = (".log",)
    sniff_order: ClassVar[int] = 30
    row: ClassVar[re.Pattern[str]] = _ROW

    def _records(self, source: str, path: Path,
                 progress: ProgressFn | None) -> Iterator[ProxyRecord]:
        for number, line in numbered_lines(path, compression_of(path), progress):
            words = decode(line).split()
            if not words:
                continue
            if len(words) < FIELDS or "/" not in words[3] or "/" not in words[8]:
                raise ReadError(source, "not a Squid native access.log line "
                                f"(expected {FIELDS} fields)", line=number)
            if words[8].startswith("HIER_NONE/"):
                continue
            method, url = words[5], words[6]
            host, port = host_port(method, url)
            server = words[8].partition("/")[2]
            yield number, (words[0], words[2], server, port, words[4], host)


ProxyRecord = tuple[int, tuple[str | None, ...]]
"""A proxy log record: its line number and (ts, src_ip, dst_ip, dst_port, bytes_in, name)."""
_PROXY_COLUMNS = ("ts", "src_ip", "dst_ip", "dst_port", "bytes_in", "name")


def proxy_flow_batches(source: str, records: Iterable[ProxyRecord],
                       extra_columns: Sequence[str] = (),
                       time_format: str | None = None) -> Iterator[pa.RecordBatch]:
    """Flow batches of a proxy log's records, ``BATCH_ROWS`` at a time: TCP, named by the
    request URL (``name_source = proxy_url``). ``ts`` is epoch seconds, or text in
    ``time_format`` (with its UTC offset) when one is given."""
    rows: list[tuple[str | None, ...]] = []
    numbers: list[int] = []
    for number, row in records:
        rows.append(row)
        numbers.append(number)
        if len(rows) >= BATCH_ROWS:
            yield from bounded(_proxy_batch(source, rows, numbers, extra_columns, time_format))
            rows, numbers = [], []
    if rows:
        yield from bounded(_proxy_batch(source, rows, numbers, extra_columns, time_format))


def _proxy_batch(source: str, rows: list[tuple[str | None, ...]], numbers: list[int],
                 extra_columns: Sequence[str], time_format: str | None) -> pa.RecordBatch:
    raw = pl.DataFrame([pl.Series(n, [r[i] for r in rows], dtype=pl.String)
                        for i, n in enumerate(_PROXY_COLUMNS)])
    if time_format is not None:
        raw = raw.with_columns(pl.col("ts").str.to_datetime(
            time_format, time_unit="us", strict=False).dt.convert_time_zone("UTC"))
    raw = raw.with_columns(
        pl.lit("tcp").alias("proto"),
        pl.when(pl.col("name").is_not_null()).then(pl.lit("proxy_url"))
        .otherwise(None).alias("name_source"),
        pl.Series("line", numbers, dtype=pl.Int64),
    )
    return to_flow_batch(raw, source, extra_columns, ts_parsed=time_format is not None)
