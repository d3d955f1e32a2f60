"""The knowledge base of recipients: entity -> parent -> ... -> ultimate parent -> jurisdictions.

Entities live in ``databorder/knowledge/entities/*.yaml`` (a user file may add or override them,
see docs/knowledge.md). Every entity carries ``source`` and ``as_of``; a bad entry stops loading
with an error naming the file and the entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from databorder.errors import InputError

_REQUIRED = ("id", "name", "source", "as_of")
_KNOWN = {"id", "name", "names", "aliases", "kind", "asns", "as_names", "domains", "parent",
          "ownership", "organised_in", "principal_place_of_business", "source", "as_of", "note",
          "network_source"}


class KnowledgeError(InputError):
    """A knowledge-base file is malformed; names the file and the entity."""


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    source: str
    as_of: date
    origin: str
    """The file the entry came from."""
    names: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    asns: tuple[int, ...] = ()
    as_names: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    parent: str | None = None
    ownership: float | None = None
    """Share of this entity the parent holds (0..1), where a public source states it."""
    organised_in: str | None = None
    principal_place_of_business: str | None = None
    network_source: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Hop:
    entity: Entity
    ownership_by_next: float | None
    """The share the next hop (this entity's parent) holds in it; None if unknown or top."""


@dataclass(frozen=True, slots=True)
class CountriesOfConcern:
    codes: frozenset[str]
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    organised_in: str | None
    principal_place_of_business: str | None
    controlled_from: str | None
    """The ultimate parent's principal place of business (else its place of organisation)."""
    country_of_concern: bool
    concern_source: str


@dataclass(frozen=True, slots=True)
class KnowledgeTables:
    """The knowledge base as Polars lookup tables, for column-wise joins."""

    domains: pl.DataFrame
    """``domain`` (lower case) -> ``_domain_entity``."""
    asns: pl.DataFrame
    """``asn`` (Int64) -> ``_asn_entity``."""
    as_names: pl.DataFrame
    """``_folded`` (case-folded AS name) -> ``_as_name_entity``."""
    entities: pl.DataFrame
    """``entity`` -> ``ultimate_parent``, ``controlled_from``, ``country_of_concern``,
    ``evidence_source``."""


class KnowledgeBase:
    """Entities indexed by id, ASN, AS name and domain."""

    def __init__(self, entities: Iterable[Entity], concern: CountriesOfConcern) -> None:
        self.entities: dict[str, Entity] = {e.id: e for e in entities}
        self.concern = concern
        self._check_graph()
        self.by_asn: dict[int, str] = {}
        self.by_as_name: dict[str, str] = {}
        self.by_domain: dict[str, str] = {}
        for entity in self.entities.values():
            self.by_asn.update((asn, entity.id) for asn in entity.asns)
            self.by_as_name.update((n.casefold(), entity.id) for n in entity.as_names)
            self.by_domain.update((d.lower(), entity.id) for d in entity.domains)
        self._tables: KnowledgeTables | None = None

    @classmethod
    def bundled(cls, extra: Path | None = None) -> KnowledgeBase:
        """The shipped knowledge base, with ``extra`` (a user YAML file) merged over it.

        Without ``extra`` the same (cached) instance is returned for the whole process.
        """
        if extra is None:
            return _bundled_knowledge()
        return cls._load(extra)

    @classmethod
    def _load(cls, extra: Path | None) -> KnowledgeBase:
        root = resources.files("databorder").joinpath("knowledge")
        entities: dict[str, Entity] = {}
        for item in sorted(root.joinpath("entities").iterdir(), key=lambda p: p.name):
            if item.name.endswith((".yaml", ".yml")):
                entities.update((e.id, e) for e in _parse_file(item.read_text("utf-8"),
                                                               f"knowledge/entities/{item.name}"))
        if extra is not None:
            try:
                text = extra.read_text(encoding="utf-8")
            except OSError as error:
                raise KnowledgeError(str(extra), f"cannot read ({error.strerror})") from error
            entities.update((e.id, e) for e in _parse_file(text, str(extra)))
        concern = _parse_concern(root.joinpath("countries_of_concern.yaml").read_text("utf-8"))
        return cls(entities.values(), concern)

    def tables(self) -> KnowledgeTables:
        """Lookup tables for :func:`attribute_destinations`, built on first use."""
        if self._tables is None:
            self._tables = self._build_tables()
        return self._tables

    def _build_tables(self) -> KnowledgeTables:
        ids = list(self.entities)
        parents, controlled, concern, sources = [], [], [], []
        for entity_id in ids:
            jurisdiction = self.jurisdiction(entity_id)
            entity = self.entities[entity_id]
            parents.append(self.ultimate_parent(entity_id).id)
            controlled.append(jurisdiction.controlled_from)
            concern.append(jurisdiction.country_of_concern)
            sources.append(f"{entity.source} (as of {entity.as_of.isoformat()})")
        return KnowledgeTables(
            domains=pl.DataFrame({"domain": list(self.by_domain),
                                  "_domain_entity": list(self.by_domain.values())},
                                 schema={"domain": pl.String, "_domain_entity": pl.String}),
            asns=pl.DataFrame({"asn": list(self.by_asn), "_asn_entity": list(self.by_asn.values())},
                              schema={"asn": pl.Int64, "_asn_entity": pl.String}),
            as_names=pl.DataFrame({"_folded": list(self.by_as_name),
                                   "_as_name_entity": list(self.by_as_name.values())},
                                  schema={"_folded": pl.String, "_as_name_entity": pl.String}),
            entities=pl.DataFrame(
                {"entity": ids, "ultimate_parent": parents, "controlled_from": controlled,
                 "country_of_concern": concern, "evidence_source": sources},
                schema={"entity": pl.String, "ultimate_parent": pl.String,
                        "controlled_from": pl.String, "country_of_concern": pl.Boolean,
                        "evidence_source": pl.String}),
        )

    def for_asn(self, asn: int) -> Entity | None:
        found = self.by_asn.get(asn)
        return self.entities[found] if found else None

    def for_as_name(self, as_name: str) -> Entity | None:
        found = self.by_as_name.get(as_name.casefold())
        return self.entities[found] if found else None

    def for_domain(self, name: str) -> Entity | None:
        """The entity of the longest known suffix of ``name`` (``a.b.aliyuncs.com`` -> Alibaba)."""
        labels = name.lower().rstrip(".").split(".")
        for i in range(len(labels) - 1):
            found = self.by_domain.get(".".join(labels[i:]))
            if found:
                return self.entities[found]
        return None

    def chain(self, entity_id: str) -> list[Hop]:
        """The entity, its parent, ... up to the ultimate parent."""
        hops: list[Hop] = []
        current: Entity | None = self.entities[entity_id]
        while current is not None:
            parent = self.entities[current.parent] if current.parent else None
            hops.append(Hop(current, current.ownership if parent else None))
            current = parent
        return hops

    def ultimate_parent(self, entity_id: str) -> Entity:
        return self.chain(entity_id)[-1].entity

    def jurisdiction(self, entity_id: str) -> Jurisdiction:
        entity = self.entities[entity_id]
        top = self.ultimate_parent(entity_id)
        controlled = top.principal_place_of_business or top.organised_in
        concerned = any(code in self.concern.codes for code in (
            controlled, entity.organised_in, entity.principal_place_of_business) if code)
        return Jurisdiction(entity.organised_in, entity.principal_place_of_business, controlled,
                            concerned, self.concern.source)

    def _check_graph(self) -> None:
        for entity in self.entities.values():
            if entity.parent is not None and entity.parent not in self.entities:
                raise KnowledgeError(entity.origin,
                                     f"entity {entity.id!r}: unknown parent {entity.parent!r}")
        for entity in self.entities.values():
            seen = [entity.id]
            current = entity
            while current.parent is not None:
                if current.parent in seen:
                    cycle = " -> ".join([*seen, current.parent])
                    raise KnowledgeError(entity.origin,
                                         f"entity {entity.id!r}: parent cycle {cycle}")
                seen.append(current.parent)
                current = self.entities[current.parent]


@cache
def _bundled_knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return KnowledgeBase._load(None)


def _parse_file(text: str, origin: str) -> list[Entity]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KnowledgeError(origin, f"not valid YAML ({error})") from error
    if isinstance(document, list):
        document = {"entities": document}
    if not isinstance(document, dict) or not isinstance(document.get("entities"), list):
        raise KnowledgeError(origin, "expected a mapping with an 'entities' list")
    default_network = document.get("network_source")
    return [_parse_entity(raw, origin, default_network) for raw in document["entities"]]


def _parse_entity(raw: Any, origin: str, default_network: str | None) -> Entity:
    if not isinstance(raw, dict):
        raise KnowledgeError(origin, "every entry of 'entities' must be a mapping")
    label = repr(raw.get("id", "<no id>"))
    missing = [key for key in _REQUIRED if not raw.get(key)]
    if missing:
        raise KnowledgeError(origin, f"entity {label}: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise KnowledgeError(origin, f"entity {label}: unknown field(s) {', '.join(unknown)}")
    as_of = raw["as_of"]
    if not isinstance(as_of, date):
        try:
            as_of = date.fromisoformat(str(as_of))
        except ValueError as error:
            raise KnowledgeError(origin, f"entity {label}: as_of is not a date") from error
    ownership = raw.get("ownership")
    if ownership is not None and not (isinstance(ownership, int | float) and 0 < ownership <= 1):
        raise KnowledgeError(origin, f"entity {label}: ownership must be a share in (0, 1]")
    if ownership is not None and not raw.get("parent"):
        raise KnowledgeError(origin, f"entity {label}: ownership without a parent")
    for key in ("organised_in", "principal_place_of_business"):
        code = raw.get(key)
        if code is not None and not (isinstance(code, str) and len(code) == 2 and code.isupper()):
            raise KnowledgeError(origin, f"entity {label}: {key} must be an ISO alpha-2 code")
    try:
        asns = tuple(int(a) for a in raw.get("asns") or ())
    except (TypeError, ValueError) as error:
        raise KnowledgeError(origin, f"entity {label}: asns must be numbers") from error
    return Entity(
        id=str(raw["id"]), name=str(raw["name"]), source=str(raw["source"]), as_of=as_of,
        origin=origin, names=dict(raw.get("names") or {}),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()), kind=raw.get("kind"),
        asns=asns, as_names=tuple(str(n) for n in raw.get("as_names") or ()),
        domains=tuple(str(d).lower() for d in raw.get("domains") or ()),
        parent=raw.get("parent"), ownership=float(ownership) if ownership is not None else None,
        organised_in=raw.get("organised_in"),
        principal_place_of_business=raw.get("principal_place_of_business"),
        network_source=raw.get("network_source", default_network), note=raw.get("note"),
    )


def _parse_concern(text: str) -> CountriesOfConcern:
    document = yaml.safe_load(text)
    as_of = document["as_of"]
    return CountriesOfConcern(
        codes=frozenset(c["code"] for c in document["countries"]),
        source=str(document["source"]),
        as_of=as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)),
    )
