"""Attribute destinations: (dst_ip, name) -> network, operating entity, ultimate parent, country.

The name decides first: a host name whose registered domain (or a more specific suffix) is in the
knowledge base names the recipient even when the address belongs to a CDN or a cloud that fronts
it. Only without such a name does the network (ASN, else AS organisation name) decide. The
``evidence`` column records which (``domain``, ``asn``, ``as_name``), and ``evidence_source`` the
entity's source and date.
"""

from __future__ import annotations

import polars as pl

from databorder.attribute.domain import normalise_names, registered_domains
from databorder.attribute.entities import Entity, KnowledgeBase
from databorder.attribute.ip import IpDatabase

DESTINATION_COLUMNS = ("dst_ip", "name", "ip_scope", "asn", "as_name", "ip_country",
                       "registered_domain", "network_entity", "entity", "evidence",
                       "ultimate_parent", "controlled_from", "country_of_concern",
                       "evidence_source")


def attribute_destinations(dst: pl.DataFrame, *, ip_db: IpDatabase | None = None,
                           knowledge: KnowledgeBase | None = None) -> pl.DataFrame:
    """One row per input row of unique destinations (``dst_ip``, ``name``), attributed."""
    ip_db = ip_db or IpDatabase.bundled()
    knowledge = knowledge or KnowledgeBase.bundled()
    names = dst["name"] if "name" in dst.columns else pl.Series([None] * dst.height,
                                                                 dtype=pl.String)
    network = ip_db.lookup(dst["dst_ip"])
    cleaned = normalise_names(names)
    frame = pl.concat(
        [dst.select(pl.col("dst_ip").cast(pl.String)), cleaned.alias("name").to_frame(), network,
         registered_domains(cleaned).alias("registered_domain").to_frame()],
        how="horizontal",
    )
    network_entity: list[str | None] = []
    entity_ids: list[str | None] = []
    evidence: list[str | None] = []
    for name, asn, as_name in frame.select("name", "asn", "as_name").iter_rows():
        by_network, how = _network_entity(knowledge, asn, as_name)
        by_name = knowledge.for_domain(name) if name else None
        network_entity.append(by_network.id if by_network else None)
        if by_name is not None:
            entity_ids.append(by_name.id)
            evidence.append("domain")
        else:
            entity_ids.append(by_network.id if by_network else None)
            evidence.append(how if by_network else None)
    parents: list[str | None] = []
    controlled: list[str | None] = []
    concern: list[bool | None] = []
    sources: list[str | None] = []
    for entity_id in entity_ids:
        if entity_id is None:
            parents.append(None)
            controlled.append(None)
            concern.append(None)
            sources.append(None)
            continue
        jurisdiction = knowledge.jurisdiction(entity_id)
        parents.append(knowledge.ultimate_parent(entity_id).id)
        controlled.append(jurisdiction.controlled_from)
        concern.append(jurisdiction.country_of_concern)
        entity = knowledge.entities[entity_id]
        sources.append(f"{entity.source} (as of {entity.as_of.isoformat()})")
    return frame.with_columns(
        pl.Series("network_entity", network_entity, dtype=pl.String),
        pl.Series("entity", entity_ids, dtype=pl.String),
        pl.Series("evidence", evidence, dtype=pl.String),
        pl.Series("ultimate_parent", parents, dtype=pl.String),
        pl.Series("controlled_from", controlled, dtype=pl.String),
        pl.Series("country_of_concern", concern, dtype=pl.Boolean),
        pl.Series("evidence_source", sources, dtype=pl.String),
    ).select(DESTINATION_COLUMNS)


def _network_entity(knowledge: KnowledgeBase, asn: int | None, as_name: str | None
                    ) -> tuple[Entity | None, str]:
    if asn is not None:
        found = knowledge.for_asn(asn)
        if found is not None:
            return found, "asn"
    if as_name is not None:
        return knowledge.for_as_name(as_name), "as_name"
    return None, "as_name"
