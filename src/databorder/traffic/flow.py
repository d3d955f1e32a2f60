"""The Flow table: one row per egress record, whatever log it came from.

Columns of :data:`FLOW_SCHEMA`:

``ts``
    When the flow (or request) started, UTC, microseconds. Null when the log does not say
    (Zeek btest baselines mask timestamps as ``XXXXXXXXXX.XXXXXX``).
``src_ip``
    The address that opened the flow: the internal host for egress. Null only on VPC
    ``NODATA``/``SKIPDATA`` rows, which describe an interface, not a flow.
``src_port``
    Source port; null when the log has none (ICMP ports read as 0 where the log writes 0).
``dst_ip``
    The server address. Null on VPC ``NODATA``/``SKIPDATA`` rows, on nfdump IPv6 addresses that
    nfdump abbreviated with ``..`` (not recoverable), and on proxy rows where Squid never
    reached a server.
``dst_port``
    Destination port, null when unknown.
``proto``
    Transport protocol in lower case (``tcp``, ``udp``, ``icmp``, ``ipv6-icmp``, or the IANA
    number as text when it has no common name). Null only on VPC ``NODATA``/``SKIPDATA`` rows.
``bytes_out``
    Payload or IP bytes sent from ``src_ip`` to ``dst_ip`` as the log counts them (Zeek
    ``orig_bytes``, VPC ``bytes``, nfdump ``ibyt``); null when the log does not count them.
``bytes_in``
    Bytes sent back from ``dst_ip`` to ``src_ip`` (Zeek ``resp_bytes``, Squid reply size);
    null when the log does not count them (VPC and nfdump flows are one direction each).
``name``
    The destination host name when the record itself or a naming record of the same capture
    gives it; null otherwise.
``name_source``
    Where ``name`` came from: ``dns`` (a DNS answer the client saw before the flow), ``sni``
    (TLS server name), ``http_host`` (HTTP ``Host``), ``proxy_url`` (the host of a proxy's
    request URL or CONNECT target), ``log`` (a host-name column of a generic CSV).
``log``
    The file the record was read from, as given.
``line``
    The 1-based line number of the record in that file (after decompression).

Naming records (:data:`NAME_SCHEMA`) are the evidence :func:`databorder.traffic.naming.name_flows`
uses to fill ``name``: one row per DNS answer address, TLS SNI or HTTP Host seen in Zeek
``dns.log``, ``ssl.log`` and ``http.log``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar, Literal

import polars as pl
import pyarrow as pa

from databorder.sources.base import BATCH_ROWS, ProgressFn

NAME_SOURCES = ("dns", "sni", "http_host", "proxy_url", "log")
TIMESTAMP = pa.timestamp("us", tz="UTC")

FLOW_SCHEMA = pa.schema([
    pa.field("ts", TIMESTAMP),
    pa.field("src_ip", pa.string()),
    pa.field("src_port", pa.int32()),
    pa.field("dst_ip", pa.string()),
    pa.field("dst_port", pa.int32()),
    pa.field("proto", pa.string()),
    pa.field("bytes_out", pa.int64()),
    pa.field("bytes_in", pa.int64()),
    pa.field("name", pa.string()),
    pa.field("name_source", pa.string()),
    pa.field("log", pa.string(), nullable=False),
    pa.field("line", pa.int64(), nullable=False),
])

NAME_SCHEMA = pa.schema([
    pa.field("ts", TIMESTAMP),
    pa.field("client_ip", pa.string()),
    pa.field("client_port", pa.int32()),
    pa.field("server_ip", pa.string()),
    pa.field("server_port", pa.int32()),
    pa.field("uid", pa.string()),
    pa.field("name", pa.string()),
    pa.field("name_source", pa.string()),
    pa.field("log", pa.string(), nullable=False),
    pa.field("line", pa.int64(), nullable=False),
])
"""Naming evidence: ``server_ip`` was called ``name`` for ``client_ip`` at ``ts``.

DNS rows have no ports and no uid (an answer names the address for every later connection of
that client); SNI and Host rows carry the connection's ports and Zeek ``uid``.
"""

EXTRA_COLUMNS = {"uid": pa.string()}
"""Columns a caller may ask ``batches`` to append after FLOW_SCHEMA (null where unknown)."""

Kind = Literal["flows", "names", "events"]
"""What a log is for: ``flows`` (connections: conn.log, VPC, nfdump, proxy, generic CSV),
``names`` (Zeek dns/ssl/http: naming evidence; their rows are flows too, but a conn.log of the
same capture already has them), ``events`` (other Zeek logs with a connection id)."""

_NULL_TOKENS = ("", "-")
_PROTOCOL_NAMES = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah",
                   "58": "ipv6-icmp", "132": "sctp"}


class FlowReader(ABC):
    """Reads one egress-log format; subclasses are found automatically by ``traffic.open``.

    A reader whose ``__init__`` needs arguments (the generic CSV mapping) is not found
    automatically; build it and pass it to ``open_logs(readers=...)``.
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()
    """Suffix hints (after a compression suffix is removed): break ties between sniffers."""
    sniff_order: ClassVar[int] = 50

    def sniff(self, head: bytes) -> bool:
        """True when ``head`` (the first decompressed bytes) looks like this format."""
        return False

    def kind(self, head: bytes, path: Path) -> Kind:
        """What the log is for (see :data:`Kind`); most formats hold flows."""
        return "flows"

    @abstractmethod
    def batches(
        self, path: Path, progress: ProgressFn | None = None,
        extra_columns: Sequence[str] = (),
    ) -> Iterator[pa.RecordBatch]:
        """Flows in FLOW_SCHEMA (plus ``extra_columns``), at most BATCH_ROWS rows per batch."""

    def names(self, path: Path, progress: ProgressFn | None = None) -> Iterator[pa.RecordBatch]:
        """Naming records in NAME_SCHEMA; none for formats without naming evidence."""
        return iter(())


def _nullify(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value.is_in(_NULL_TOKENS)).then(None).otherwise(value).alias(column)


def parse_ts(column: str = "ts") -> pl.Expr:
    """Epoch seconds (``1521911720.865716``) or ISO-8601 text to UTC microseconds.

    Text that is neither (``XXXXXXXXXX.XXXXXX``) becomes null.
    """
    text = pl.col(column).str.strip_chars()
    epoch = (text.cast(pl.Float64, strict=False) * 1_000_000).round(0).cast(pl.Int64)
    epoch_ts = epoch.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    iso = text.str.replace("Z$", "").str.replace(" ", "T").str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False
    ).dt.replace_time_zone("UTC")
    is_iso = text.str.contains("^\\d{4}-\\d\\d-\\d\\d")
    return pl.when(is_iso).then(iso).otherwise(epoch_ts).alias(column)


def protocol_name(column: str = "proto") -> pl.Expr:
    """Lower-case protocol names; IANA numbers (VPC) become names where common."""
    lowered = pl.col(column).str.strip_chars().str.to_lowercase()
    return lowered.replace(_PROTOCOL_NAMES).alias(column)


def to_flow_batch(
    raw: pl.DataFrame, log: str, extra_columns: Sequence[str] = (),
    ts_parsed: bool = False,
) -> pa.RecordBatch:
    """Raw text columns (any subset of FLOW_SCHEMA names, plus ``line``) to a typed batch.

    Text ``-`` or empty means null; ``ts`` is parsed by :func:`parse_ts` unless ``ts_parsed``.
    """
    return _typed(raw, FLOW_SCHEMA, log, extra_columns, ts_parsed)


def to_name_batch(raw: pl.DataFrame, log: str, ts_parsed: bool = False) -> pa.RecordBatch:
    return _typed(raw, NAME_SCHEMA, log, (), ts_parsed)


def _typed(
    raw: pl.DataFrame, schema: pa.Schema, log: str, extra_columns: Sequence[str],
    ts_parsed: bool,
) -> pa.RecordBatch:
    exprs: list[pl.Expr] = []
    for field in schema:
        name = field.name
        if name == "log":
            exprs.append(pl.lit(log, pl.String).alias("log"))
        elif name not in raw.columns:
            exprs.append(pl.lit(None, _polars_type(field.type)).alias(name))
        elif name == "ts":
            exprs.append(pl.col("ts").cast(pl.Datetime("us", "UTC")) if ts_parsed or
                         raw.schema["ts"] != pl.String else parse_ts("ts"))
        elif name == "line":
            exprs.append(pl.col("line").cast(pl.Int64))
        elif raw.schema[name] != pl.String:
            exprs.append(pl.col(name).cast(_polars_type(field.type)))
        elif name == "proto":
            exprs.append(protocol_name().pipe(_empty_to_null, name))
        elif pa.types.is_integer(field.type):
            exprs.append(pl.col(name).str.strip_chars().cast(_polars_type(field.type),
                                                           strict=False).alias(name))
        else:
            exprs.append(_nullify(name))
    for extra in extra_columns:
        if extra not in EXTRA_COLUMNS:
            raise ValueError(f"unknown extra column {extra!r}")
        exprs.append(_nullify(extra) if extra in raw.columns
                     else pl.lit(None, pl.String).alias(extra))
    typed = raw.select(exprs)
    target = pa.schema(list(schema) + [pa.field(e, EXTRA_COLUMNS[e]) for e in extra_columns])
    table = typed.to_arrow().cast(target)
    return table.combine_chunks().to_batches()[0] if table.num_rows else \
        pa.RecordBatch.from_pylist([], schema=target)


def _empty_to_null(expr: pl.Expr, name: str) -> pl.Expr:
    return pl.when(expr.is_in(_NULL_TOKENS)).then(None).otherwise(expr).alias(name)


def _polars_type(arrow_type: pa.DataType) -> pl.DataType:
    if pa.types.is_timestamp(arrow_type):
        return pl.Datetime("us", "UTC")
    mapping: dict[pa.DataType, pl.DataType] = {
        pa.int32(): pl.Int32(), pa.int64(): pl.Int64(), pa.string(): pl.String(),
    }
    return mapping[arrow_type]


def bounded(batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
    """Slices of at most BATCH_ROWS rows."""
    for start in range(0, batch.num_rows, BATCH_ROWS):
        yield batch.slice(start, BATCH_ROWS)
