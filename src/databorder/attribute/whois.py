"""``databorder whois``: the attribution chain of one IP address, host name or organisation.

IP → network (AS name, AS number where the data has it) and the IP's country → operating
entity → parents (with ownership share where known) → ultimate parent → jurisdictions. Every
hop carries its source and date. Nothing is looked up on the network: host names are not
resolved, only matched against the knowledge base's domains.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import polars as pl

from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.domain import registered_domains
from databorder.attribute.entities import Entity, KnowledgeBase
from databorder.attribute.ip import IpDatabase


@dataclass(frozen=True, slots=True)
class WhoisHop:
    label: str
    value: str
    detail: str = ""
    source: str = ""


@dataclass(slots=True)
class WhoisAnswer:
    target: str
    kind: str
    """``ip``, ``host`` or ``organisation``."""
    hops: list[WhoisHop] = field(default_factory=list)


def _kind(target: str) -> str:
    try:
        ipaddress.ip_address(target.strip("[]"))
        return "ip"
    except ValueError:
        pass
    if "." in target and " " not in target.strip():
        return "host"
    return "organisation"


def _find_organisation(knowledge: KnowledgeBase, query: str) -> Entity | None:
    wanted = query.casefold().strip()
    exact = [e for e in knowledge.entities.values()
             if wanted in {e.id, e.name.casefold(), *(n.casefold() for n in e.names.values()),
                           *(a.casefold() for a in e.aliases)}]
    if exact:
        return exact[0]
    partial = [e for e in knowledge.entities.values()
               if wanted in e.name.casefold() or any(wanted in a.casefold() for a in e.aliases)]
    return partial[0] if partial else None


def _entity_hops(knowledge: KnowledgeBase, entity_id: str) -> list[WhoisHop]:
    hops: list[WhoisHop] = []
    chain = knowledge.chain(entity_id)
    for index, hop in enumerate(chain):
        entity = hop.entity
        label = "operating entity" if index == 0 else "parent"
        if index == len(chain) - 1 and index > 0:
            label = "ultimate parent"
        elif len(chain) == 1:
            label = "entity (its own ultimate parent)"
        share = "" if hop.ownership_by_next is None else (
            f"held {hop.ownership_by_next:.0%} by its parent")
        other_names = ", ".join(v for v in entity.names.values() if v != entity.name)
        detail = "; ".join(x for x in (other_names, share) if x)
        hops.append(WhoisHop(label, entity.name, detail,
                             f"{entity.source} (as of {entity.as_of.isoformat()})"))
    jurisdiction = knowledge.jurisdiction(entity_id)
    concern = " — a country of concern" if jurisdiction.country_of_concern else ""
    hops.append(WhoisHop(
        "jurisdictions",
        f"organised in {jurisdiction.organised_in or '?'}, principal place of business "
        f"{jurisdiction.principal_place_of_business or '?'}, controlled from "
        f"{jurisdiction.controlled_from or '?'}{concern}",
        source=jurisdiction.concern_source if concern else ""))
    return hops


def whois(target: str, knowledge: KnowledgeBase | None = None,
          ip_db: IpDatabase | None = None) -> WhoisAnswer:
    knowledge = knowledge or KnowledgeBase.bundled()
    answer = WhoisAnswer(target, _kind(target))
    if answer.kind == "organisation":
        entity = _find_organisation(knowledge, target)
        if entity is not None:
            answer.hops = _entity_hops(knowledge, entity.id)
        return answer
    ip_db = ip_db or IpDatabase.bundled()
    if answer.kind == "ip":
        frame = pl.DataFrame({"dst_ip": [target.strip("[]")], "name": [None]},
                             schema={"dst_ip": pl.String, "name": pl.String})
    else:
        frame = pl.DataFrame({"dst_ip": [None], "name": [target]},
                             schema={"dst_ip": pl.String, "name": pl.String})
    row = attribute_destinations(frame, ip_db=ip_db, knowledge=knowledge).row(0, named=True)
    data_source = f"{ip_db.source} (as of {ip_db.as_of})" if ip_db.as_of else ip_db.source
    if answer.kind == "ip":
        if row["ip_scope"] == "public":
            network = row["as_name"] or "(no network in the IP data)"
        else:
            network = f"({row['ip_scope']} address space: no network, no owner)"
        asn = f"AS{row['asn']}" if row["asn"] else "AS number not in the IP data"
        answer.hops.append(WhoisHop("network", network,
                                    f"{asn}; address in {row['ip_country'] or '?'}; "
                                    f"{row['ip_scope']} address", data_source))
    else:
        domain = registered_domains(pl.Series([target])).item()
        answer.hops.append(WhoisHop("registered domain", domain or "(none)",
                                    source="Public Suffix List (tldextract's bundled snapshot)"))
    if row["entity"]:
        answer.hops.append(WhoisHop("decided by", row["evidence"] or "?"))
        answer.hops.extend(_entity_hops(knowledge, row["entity"]))
    return answer
