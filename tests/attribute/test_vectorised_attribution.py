"""The column-wise attribution gives exactly what the former per-row loop gave."""

import random

import numpy as np
import polars as pl
import pytest

from databorder.attribute.attribute import DESTINATION_COLUMNS, attribute_destinations
from databorder.attribute.domain import normalise_names, registered_domains
from databorder.attribute.entities import Entity, KnowledgeBase
from databorder.attribute.ip import IpDatabase, Ipv4Index, Ipv6Index, v4_table, v6_table


def _reference(dst: pl.DataFrame, ip_db: IpDatabase, knowledge: KnowledgeBase) -> pl.DataFrame:
    """The per-row loop ``attribute_destinations`` used before it was made column-wise."""
    cleaned = normalise_names(dst["name"])
    frame = pl.concat(
        [dst.select(pl.col("dst_ip").cast(pl.String)), cleaned.alias("name").to_frame(),
         ip_db.lookup(dst["dst_ip"]),
         registered_domains(cleaned).alias("registered_domain").to_frame()],
        how="horizontal",
    )
    network_entity: list[str | None] = []
    entity_ids: list[str | None] = []
    evidence: list[str | None] = []
    for name, asn, as_name in frame.select("name", "asn", "as_name").iter_rows():
        by_network: Entity | None = None
        how = "as_name"
        if asn is not None:
            by_network = knowledge.for_asn(asn)
            how = "asn" if by_network else how
        if by_network is None and as_name is not None:
            by_network = knowledge.for_as_name(as_name)
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
        entity = knowledge.entities[entity_id]
        parents.append(knowledge.ultimate_parent(entity_id).id)
        controlled.append(jurisdiction.controlled_from)
        concern.append(jurisdiction.country_of_concern)
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


def _numbered_database(knowledge: KnowledgeBase, rng: random.Random) -> IpDatabase:
    """IPv4 /16s of 1.0.0.0/8..60.0.0.0/8 spread over known and unknown AS numbers and names."""
    known_asns = sorted(knowledge.by_asn)
    known_names = sorted({n for e in knowledge.entities.values() for n in e.as_names})
    networks: list[tuple[int, str]] = [(asn, f"AS name {asn}") for asn in known_asns[:40]]
    networks += [(0, name) for name in known_names[:40]]  # number unknown, name known
    networks += [(64_000 + i, name.upper()) for i, name in enumerate(known_names[40:80])]
    networks += [(65_000 + i, f"Nobody we know {i}") for i in range(40)]
    names = [None, *(n for _, n in networks)]
    numbers = np.array([0, *(a for a, _ in networks)], dtype=np.int64)
    starts = [(a << 24) | (b << 16) for a in range(1, 61) for b in range(0, 256, 3)]
    values = [rng.randrange(len(names)) for _ in starts]
    return IpDatabase(
        countries=pl.Series("ip_country", ["US", "CN", "DE"], dtype=pl.String),
        as_names=pl.Series("as_name", names, dtype=pl.String),
        as_numbers=numbers,
        reserved_country_ids=frozenset(),
        v4=Ipv4Index(v4_table(starts, [16] * len(starts), [v % 3 for v in values]),
                     v4_table(starts, [16] * len(starts), values)),
        v6=Ipv6Index(v6_table([], [], []), v6_table([], [], [])),
        source="test", as_of=None, licence="test",
    )


def _destinations(knowledge: KnowledgeBase, rng: random.Random, n: int) -> pl.DataFrame:
    domains = sorted(knowledge.by_domain)
    odd = ["", " ", "com", "a..deepseek.com", "API.DeepSeek.COM.", "1.2.3.4", "[::1]",
           "deepseek.com.evil.example", "xn--fiqs8s.cn", "例子.aliyuncs.com", "localhost"]
    names: list[str | None] = []
    for _ in range(n):
        pick = rng.random()
        if pick < 0.3:
            names.append(None)
        elif pick < 0.65:
            prefix = ".".join(f"h{rng.randrange(9)}" for _ in range(rng.randrange(4)))
            names.append(f"{prefix}.{rng.choice(domains)}".lstrip("."))
        elif pick < 0.9:
            names.append(f"x{rng.randrange(200)}.site{rng.randrange(300)}."
                         f"{rng.choice(['com', 'co.uk', 'cn', 'com.cn', 'io'])}")
        else:
            names.append(rng.choice(odd))
    ips = [f"{rng.randrange(1, 70)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
           for _ in range(n)]
    return pl.DataFrame({"dst_ip": ips, "name": names},
                        schema={"dst_ip": pl.String, "name": pl.String})


@pytest.mark.parametrize("numbered", [False, True], ids=["bundled-ip-data", "with-as-numbers"])
def test_column_wise_equals_the_per_row_loop(numbered: bool) -> None:
    rng = random.Random(20260101)
    knowledge = KnowledgeBase.bundled()
    ip_db = _numbered_database(knowledge, rng) if numbered else IpDatabase.bundled()
    dst = _destinations(knowledge, rng, 4000)
    ours = attribute_destinations(dst, ip_db=ip_db, knowledge=knowledge)
    expected = _reference(dst, ip_db, knowledge)
    assert ours.schema == expected.schema
    assert ours.equals(expected)
    evidence = set(ours["evidence"].to_list())
    assert {"domain", "as_name", None} <= evidence
    if numbered:
        assert "asn" in evidence


def test_bundled_data_is_loaded_once() -> None:
    assert KnowledgeBase.bundled() is KnowledgeBase.bundled()
    assert IpDatabase.bundled() is IpDatabase.bundled()
    assert KnowledgeBase.bundled().tables() is KnowledgeBase.bundled().tables()


def test_empty_input() -> None:
    dst = pl.DataFrame({"dst_ip": [], "name": []}, schema={"dst_ip": pl.String, "name": pl.String})
    out = attribute_destinations(dst)
    assert out.height == 0 and out.columns == list(DESTINATION_COLUMNS)
