"""Attribute destinations: (dst_ip, name) -> network, operating entity, ultimate parent, country.

The name decides first: a host name whose registered domain (or a more specific suffix) is in the
knowledge base names the recipient even when the address belongs to a CDN or a cloud that fronts
it. Only without such a name does the network (ASN, else AS organisation name) decide. The
``evidence`` column records which (``domain``, ``asn``, ``as_name``), and ``evidence_source`` the
entity's source and date.

Everything is joined column-wise with the knowledge base's lookup tables
(:meth:`KnowledgeBase.tables`); the only per-value Python work is case-folding each distinct AS
name (Python's ``casefold`` has no exact Polars equivalent).
"""

from __future__ import annotations

import polars as pl

from databorder.attribute.domain import normalise_names, registered_domains
from databorder.attribute.entities import KnowledgeBase
from databorder.attribute.ip import IpDatabase, IpScope

DESTINATION_COLUMNS = ("dst_ip", "name", "ip_scope", "asn", "as_name", "ip_country",
                       "registered_domain", "network_entity", "entity", "evidence",
                       "ultimate_parent", "controlled_from", "country_of_concern",
                       "evidence_source")


def attribute_destinations(dst: pl.DataFrame, *, ip_db: IpDatabase | None = None,
                           knowledge: KnowledgeBase | None = None) -> pl.DataFrame:
    """One row per input row of unique destinations (``dst_ip``, ``name``), attributed.

    A null ``dst_ip`` (the log recorded no address) has ``ip_scope`` ``unknown``: only the
    name can attribute it."""
    ip_db = ip_db or IpDatabase.bundled()
    knowledge = knowledge or KnowledgeBase.bundled()
    names = dst["name"] if "name" in dst.columns else pl.Series([None] * dst.height,
                                                                 dtype=pl.String)
    network = ip_db.lookup(dst["dst_ip"]).with_columns(
        pl.when(dst["dst_ip"].is_null()).then(pl.lit("unknown", IpScope))
        .otherwise(pl.col("ip_scope")).alias("ip_scope"))
    cleaned = normalise_names(names)
    frame = pl.concat(
        [dst.select(pl.col("dst_ip").cast(pl.String)), cleaned.alias("name").to_frame(), network,
         registered_domains(cleaned).alias("registered_domain").to_frame()],
        how="horizontal",
    )
    tables = knowledge.tables()
    by_domain = _entity_by_name(frame["name"], tables.domains)
    by_as_name = _entity_by_as_name(frame["as_name"], tables.as_names)
    decided = (
        frame.select("asn")
        .join(tables.asns, on="asn", how="left", maintain_order="left")
        .select(
            pl.col("_asn_entity"),
            by_as_name.alias("_as_name_entity"),
            by_domain.alias("_domain_entity"),
        )
        .select(
            pl.coalesce("_asn_entity", "_as_name_entity").alias("network_entity"),
            pl.coalesce("_domain_entity", "_asn_entity", "_as_name_entity").alias("entity"),
            pl.when(pl.col("_domain_entity").is_not_null()).then(pl.lit("domain"))
            .when(pl.col("_asn_entity").is_not_null()).then(pl.lit("asn"))
            .when(pl.col("_as_name_entity").is_not_null()).then(pl.lit("as_name"))
            .otherwise(pl.lit(None, dtype=pl.String)).alias("evidence"),
        )
        .join(tables.entities, on="entity", how="left", maintain_order="left")
    )
    return pl.concat([frame, decided], how="horizontal").select(DESTINATION_COLUMNS)


def _entity_by_name(names: pl.Series, domains: pl.DataFrame) -> pl.Series:
    """The entity of each name's longest known suffix (of two labels or more), else null."""
    distinct = names.drop_nulls().unique().to_frame("name")
    candidates = (
        distinct.with_columns(pl.col("name").str.split(".").alias("_labels"))
        .with_columns(pl.int_ranges(0, pl.col("_labels").list.len() - 1, dtype=pl.Int32)
                      .alias("_skip"))
        .explode("_skip")
        .drop_nulls("_skip")
        .select("name", "_skip",
                pl.col("_labels").list.slice(pl.col("_skip")).list.join(".").alias("domain"))
    )
    best = (
        candidates.join(domains, on="domain", how="inner")
        .sort("_skip")
        .unique("name", keep="first")
        .select("name", "_domain_entity")
    )
    return (names.to_frame("name").join(best, on="name", how="left", maintain_order="left")
            ["_domain_entity"])


def _entity_by_as_name(as_names: pl.Series, known: pl.DataFrame) -> pl.Series:
    distinct = as_names.drop_nulls().unique()
    folded = pl.DataFrame({
        "as_name": distinct,
        "_folded": pl.Series([n.casefold() for n in distinct.to_list()], dtype=pl.String),
    }).join(known, on="_folded", how="inner").select("as_name", "_as_name_entity")
    return (as_names.to_frame("as_name")
            .join(folded, on="as_name", how="left", maintain_order="left")["_as_name_entity"])
