"""Name flow destinations from naming records of the same capture.

:func:`name_flows` fills ``name``/``name_source`` of flows that have none, in this order:

1. ``sni`` / ``http_host`` by Zeek ``uid``, when the flows carry a ``uid`` column (ask
   ``batches(extra_columns=("uid",))``) and the naming record has one: the TLS server name or
   HTTP ``Host`` of that very connection. SNI wins over Host on the same connection.
2. ``sni`` / ``http_host`` by 5-tuple (client, client port, server, server port) and time: the
   naming record nearest in time to the flow's start, within ``tuple_window``; without
   timestamps on either side the 5-tuple alone decides.
3. ``dns``: the most recent DNS answer, at or before the flow's start, that the same client
   received for the flow's destination address (an as-of join by client and address), no older
   than ``dns_max_age`` when given. A flow without a timestamp gets no DNS name: "before the
   connection" cannot be told.

A name the flow's own record carries (a proxy URL, a generic CSV's host column, an ssl.log
row's SNI) is kept. ``name_source`` says which rule named each destination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

_TUPLE_FLOW = ["src_ip", "src_port", "dst_ip", "dst_port"]
_TUPLE_NAME = ["client_ip", "client_port", "server_ip", "server_port"]
_PRIORITY = {"sni": 0, "http_host": 1}


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Naming records prepared once for many batches of flows: ranked, reduced to the columns
    and rows the joins use (the best record per uid and per 5-tuple, DNS answers without exact
    duplicates), and sorted by time. Ranking all records again for every batch was the cost."""

    by_uid: pl.DataFrame
    """``uid``, ``_name``, ``_source``: the best SNI/Host record of each connection."""
    untimed: pl.DataFrame
    """The best record of each 5-tuple (``ts`` is its time, maybe null)."""
    timed: pl.DataFrame
    """SNI/Host records with a time, one per (5-tuple, time), sorted by time."""
    dns: pl.DataFrame
    """DNS answers with time, client and address, sorted by time; without ``dns_max_age``, an
    answer repeating the name of the client's previous answer for that address is dropped (it
    cannot change which name a later flow gets: clients re-resolve the same names all day)."""
    dns_max_age: timedelta | None = None
    """The oldest DNS answer that may name a flow; the index is prepared for this value."""

    @classmethod
    def of(cls, names: pl.DataFrame, *, dns_max_age: timedelta | None = None) -> NameIndex:
        connection = names.filter(pl.col("name_source").is_in(list(_PRIORITY))
                                  & pl.col("name").is_not_null())
        by_uid = (_ranked(connection.filter(pl.col("uid").is_not_null()))
                  .sort("_rank", "ts", nulls_last=True)
                  .group_by("uid", maintain_order=True).first()
                  .select("uid", pl.col("name").alias("_name"),
                          pl.col("name_source").alias("_source")))
        keyed = _ranked(connection.drop_nulls(_TUPLE_NAME)).sort("_rank", maintain_order=True)
        untimed = (keyed.group_by(_TUPLE_NAME, maintain_order=True).first()
                   .select(*_TUPLE_NAME, "ts", "name", "name_source"))
        timed = (keyed.filter(pl.col("ts").is_not_null()).sort("ts", maintain_order=True)
                 .unique(subset=[*_TUPLE_NAME, "ts"], keep="first", maintain_order=True)
                 .select("ts", *_TUPLE_NAME, "name", "name_source"))
        dns = (names.filter((pl.col("name_source") == "dns") & pl.col("ts").is_not_null()
                            & pl.col("client_ip").is_not_null()
                            & pl.col("server_ip").is_not_null())
               .select("ts", "client_ip", "server_ip", "name")
               .unique(maintain_order=True))
        if dns_max_age is None:
            dns = (dns.sort("client_ip", "server_ip", "ts", maintain_order=True)
                   .filter(pl.col("name").ne_missing(
                       pl.col("name").shift(1).over(["client_ip", "server_ip"]))))
        return cls(by_uid, untimed, timed, dns.sort("ts", maintain_order=True), dns_max_age)

    def is_empty(self) -> bool:
        return all(frame.is_empty() for frame in (self.by_uid, self.untimed, self.dns))


def name_flows(
    flows: pl.DataFrame, names: pl.DataFrame | NameIndex, *,
    tuple_window: timedelta = timedelta(hours=1), dns_max_age: timedelta | None = None,
) -> pl.DataFrame:
    """``flows`` (FLOW_SCHEMA columns, optionally ``uid``) with ``name``/``name_source`` filled.

    ``names`` is in NAME_SCHEMA, or a :class:`NameIndex` of it prepared for the same
    ``dns_max_age`` (prepare it once when naming many batches). Rows keep their order; no row
    is added or dropped.
    """
    if isinstance(names, NameIndex):
        if names.dns_max_age != dns_max_age:
            raise ValueError("the NameIndex was prepared for another dns_max_age")
        index = names
    else:
        index = NameIndex.of(names, dns_max_age=dns_max_age)
    if flows.is_empty() or index.is_empty():
        return flows
    indexed = flows.with_row_index("_row")
    candidates = [
        _by_uid(indexed, index.by_uid),
        _by_tuple(indexed, index, tuple_window),
        _by_dns(indexed, index.dns, dns_max_age),
    ]
    named = indexed
    for i, found in enumerate(candidates):
        named = named.join(found.rename({"_name": f"_name{i}", "_source": f"_source{i}"}),
                           on="_row", how="left")
    name_columns = ["name"] + [f"_name{i}" for i in range(len(candidates))]
    source_columns = ["name_source"] + [f"_source{i}" for i in range(len(candidates))]
    has = [pl.col(c).is_not_null() & (pl.col(c) != "") for c in name_columns]
    name = pl.coalesce([pl.when(h).then(pl.col(c)) for h, c in zip(has, name_columns,
                                                                   strict=True)])
    source = pl.coalesce([pl.when(h).then(pl.col(c)) for h, c in zip(has, source_columns,
                                                                     strict=True)])
    return (named.sort("_row")
            .with_columns(name.alias("name"), source.alias("name_source"))
            .select(flows.columns))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"_row": pl.UInt32, "_name": pl.String, "_source": pl.String})


def _ranked(names: pl.DataFrame) -> pl.DataFrame:
    return names.with_columns(
        pl.col("name_source").replace_strict(_PRIORITY, default=9).alias("_rank"))


def _by_uid(flows: pl.DataFrame, best: pl.DataFrame) -> pl.DataFrame:
    if "uid" not in flows.columns or best.is_empty():
        return _empty()
    return (flows.filter(pl.col("uid").is_not_null()).select("_row", "uid")
            .join(best, on="uid", how="inner").select("_row", "_name", "_source"))


def _by_tuple(flows: pl.DataFrame, index: NameIndex, window: timedelta) -> pl.DataFrame:
    if index.untimed.is_empty():
        return _empty()
    left = flows.drop_nulls(_TUPLE_FLOW).select("_row", "ts", *_TUPLE_FLOW)
    untimed = (left.filter(pl.col("ts").is_null())
               .join(index.untimed, left_on=_TUPLE_FLOW, right_on=_TUPLE_NAME, how="inner"))
    timed = left.filter(pl.col("ts").is_not_null()).sort("ts").join_asof(
        index.timed, on="ts", by_left=_TUPLE_FLOW, by_right=_TUPLE_NAME, strategy="nearest",
        tolerance=window, check_sortedness=False,
    ).filter(pl.col("name").is_not_null())
    # flows with a time but naming records without one (btest) fall back to the tuple alone
    rest = (left.filter(pl.col("ts").is_not_null())
            .join(timed.select("_row"), on="_row", how="anti")
            .join(index.untimed.filter(pl.col("ts").is_null()), left_on=_TUPLE_FLOW,
                  right_on=_TUPLE_NAME, how="inner"))
    parts = [p.select("_row", pl.col("name").alias("_name"),
                      pl.col("name_source").alias("_source")) for p in (timed, untimed, rest)]
    return pl.concat(parts)


def _by_dns(flows: pl.DataFrame, answers: pl.DataFrame,
            max_age: timedelta | None) -> pl.DataFrame:
    left = flows.filter(pl.col("ts").is_not_null() & pl.col("src_ip").is_not_null()
                        & pl.col("dst_ip").is_not_null()).select("_row", "ts", "src_ip", "dst_ip")
    if answers.is_empty() or left.is_empty():
        return _empty()
    joined = left.sort("ts").join_asof(
        answers, on="ts", by_left=["src_ip", "dst_ip"], by_right=["client_ip", "server_ip"],
        strategy="backward", tolerance=max_age, check_sortedness=False,
    )
    return joined.filter(pl.col("name").is_not_null()).select(
        "_row", pl.col("name").alias("_name"), pl.lit("dns").alias("_source"))
