"""Facts from three places, merged: a transfer file (YAML), a scan inventory and a flows result.

A transfer file alone is a what-if. With ``--inventory``, a transfer whose ``data`` says
``from_inventory: true`` takes its categories, counts and linking from the scan; with
``--flows``, every attributed recipient group becomes a transfer too (merged with the file's
transfer to the same ultimate parent), carrying the inventory's data when one is given. Every
error names the file and the YAML line or JSON key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from databorder.assess.model import (
    TRANSFERS_SCHEMA,
    Counterparty,
    Evidence,
    Exporter,
    Facts,
    Owner,
    SourcedTransfer,
    Transfer,
    TransferFile,
)
from databorder.assess.pack import YamlLoader
from databorder.errors import FactsError, UsageError

INVENTORY_SCHEMA = "databorder.inventory/1"
FLOWS_SCHEMA = "databorder.flows/1"


def load_facts(inventory_path: Path | None, flows_path: Path | None,
               transfers_path: Path | None) -> Facts:
    """Merge the given inputs into :class:`Facts`; at least one is needed."""
    if inventory_path is None and flows_path is None and transfers_path is None:
        raise UsageError("no facts given: pass --transfers, --inventory and/or --flows")
    inventory = _inventory(inventory_path) if inventory_path else None
    transfers: list[SourcedTransfer] = []
    default_exporter = Exporter()
    if transfers_path is not None:
        default_exporter, transfers = _transfer_file(transfers_path, inventory)
    if flows_path is not None:
        transfers = _merge_flows(transfers, _flows(flows_path), inventory, default_exporter)
    if not transfers and inventory is not None:
        transfers = [_with_inventory(SourcedTransfer(Transfer(
            name="inventory (recipient not known)", exporter=default_exporter)), inventory)]
    sources = tuple(str(p) for p in (transfers_path, inventory_path, flows_path) if p)
    return Facts(tuple(transfers), sources)


# ---------------------------------------------------------------- transfer file

def _transfer_file(path: Path, inventory: _Inventory | None
                   ) -> tuple[Exporter, list[SourcedTransfer]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FactsError(str(path), f"cannot read ({error})") from error
    try:
        root = yaml.compose(text, Loader=YamlLoader)
        raw = yaml.load(text, Loader=YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise FactsError(str(path), f"not valid YAML: {problem}",
                         line=mark.line + 1 if mark else None) from error
    if not isinstance(raw, dict):
        raise FactsError(str(path), f"expected a mapping with schema: {TRANSFERS_SCHEMA} and "
                                    "a transfers list", line=1)
    try:
        document = TransferFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        raise FactsError(str(path), _message(first), line=_line_of(root, location),
                         field=".".join(str(p) for p in location) or None) from error
    default = document.exporter or Exporter()
    known = _known_categories()
    out = []
    names: set[str] = set()
    for index, transfer in enumerate(document.transfers):
        for where, category in _categories_named(transfer):
            if category not in known:
                location = ("transfers", index, "data", *where)
                raise FactsError(str(path), f"unknown category {category!r} (see "
                                 "`databorder rules list` pages for the ids)",
                                 line=_line_of(root, location),
                                 field=".".join(str(p) for p in location))
        if transfer.name in names:
            location = ("transfers", index, "name")
            raise FactsError(str(path), "two transfers have this name",
                             line=_line_of(root, location), field="name")
        names.add(transfer.name)
        merged = transfer.model_copy(update={"exporter": _merged_exporter(transfer.exporter,
                                                                          default)})
        merged = _resolve_entity(merged, path, root, index)
        sourced = SourcedTransfer(merged, (Evidence("transfer", f"{path.name}#{transfer.name}",
                                                    "declared in the transfer file"),))
        if transfer.data.from_inventory:
            if inventory is None:
                location = ("transfers", index, "data", "from_inventory")
                raise FactsError(str(path), "from_inventory needs --inventory",
                                 line=_line_of(root, location), field="data.from_inventory")
            sourced = _with_inventory(sourced, inventory)
        out.append(sourced)
    return default, out


def _message(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "literal_error" and error["loc"] == ("schema",):
        return f"schema must be {TRANSFERS_SCHEMA}"
    return message


def _line_of(node: yaml.Node | None, location: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest YAML node along ``location``."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in location:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _categories_named(transfer: Transfer) -> list[tuple[tuple[Any, ...], str]]:
    data = transfer.data
    found: list[tuple[tuple[Any, ...], str]] = [
        (("categories", i), c) for i, c in enumerate(data.categories or ())]
    found += [(("counts", c), c) for c in data.counts]
    found += [(("linked", i, j), c) for i, g in enumerate(data.linked or ())
              for j, c in enumerate(g)]
    return found


def _known_categories() -> frozenset[str]:
    from databorder.assess.pack import bundled_packs
    from databorder.categories import CATEGORIES

    known = set(CATEGORIES)
    for pack in bundled_packs():
        known |= set(pack.regime.category_map.map)
        if pack.regime.linking is not None:
            known |= set(pack.regime.linking.listed_identifiers)
    return frozenset(known)


def _merged_exporter(own: Exporter, default: Exporter) -> Exporter:
    values = {k: v if v is not None else getattr(default, k)
              for k, v in own.model_dump().items()}
    return Exporter(**values)


def _resolve_entity(transfer: Transfer, path: Path, root: yaml.Node | None, index: int) -> Transfer:
    entity_id = transfer.counterparty.entity
    if entity_id is None:
        return transfer
    resolved = resolve_counterparty(transfer.counterparty)
    if resolved is None:
        location = ("transfers", index, "counterparty", "entity")
        raise FactsError(str(path), f"unknown knowledge-base entity {entity_id!r} "
                         "(`databorder whois NAME` lists ids)", line=_line_of(root, location),
                         field="counterparty.entity")
    return transfer.model_copy(update={"counterparty": resolved})


def resolve_counterparty(party: Counterparty) -> Counterparty | None:
    """Fill what the transfer file leaves open from the knowledge base: name, places, the
    country the ultimate parent is run from, and (where the chain states shares) owners."""
    from databorder.attribute.entities import KnowledgeBase

    knowledge = KnowledgeBase.bundled()
    if party.entity not in knowledge.entities:
        return None
    entity = knowledge.entities[party.entity]
    jurisdiction = knowledge.jurisdiction(entity.id)
    chain = knowledge.chain(entity.id)
    owners = party.owners
    if owners is None and len(chain) == 1:
        owners = ()
    elif owners is None:
        top = chain[-1].entity
        shares = [hop.ownership_by_next for hop in chain[:-1]]
        percent = None
        if all(s is not None for s in shares):
            percent = 100.0
            for share in shares:
                percent *= share or 0.0
        owners = (Owner(name=top.name, country=top.principal_place_of_business
                        or top.organised_in, percent=percent),)
    return party.model_copy(update={
        "name": party.name or entity.name,
        "organised_in": party.organised_in or entity.organised_in,
        "principal_place_of_business": party.principal_place_of_business
        or entity.principal_place_of_business,
        "controlled_from": party.controlled_from or jurisdiction.controlled_from,
        "owners": owners,
    })


# ---------------------------------------------------------------- inventory

class _Inventory:
    def __init__(self, path: Path, counts: dict[str, int], groups: list[tuple[str, ...]]):
        self.path = path
        self.counts = counts
        self.groups = groups


def _json(path: Path, schema: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise FactsError(str(path), f"cannot read ({error})") from error
    except json.JSONDecodeError as error:
        raise FactsError(str(path), f"not valid JSON: {error.msg}", line=error.lineno) from error
    if not isinstance(document, dict) or document.get("schema") != schema:
        raise FactsError(str(path), f"expected a {schema} document", field="schema")
    return document


def _inventory(path: Path) -> _Inventory:
    document = _json(path, INVENTORY_SCHEMA)
    categories = document.get("categories")
    fields = document.get("fields", [])
    if not isinstance(categories, dict) or not isinstance(fields, list):
        raise FactsError(str(path), "categories must be an object and fields a list",
                         field="categories")
    counts: dict[str, int] = {}
    for category, entry in categories.items():
        distinct = entry.get("distinct") if isinstance(entry, dict) else None
        if not isinstance(distinct, int):
            raise FactsError(str(path), "distinct must be a number",
                             field=f"categories.{category}.distinct")
        counts[category] = distinct
    tables: dict[tuple[str, str], set[str]] = {}
    for index, entry in enumerate(fields):
        if not isinstance(entry, dict) or not isinstance(entry.get("category"), str):
            raise FactsError(str(path), "each field needs a category", field=f"fields[{index}]")
        key = (str(entry.get("source")), str(entry.get("table")))
        tables.setdefault(key, set()).add(entry["category"])
    groups = [tuple(sorted(g)) for g in tables.values()]
    return _Inventory(path, counts, groups)


def _with_inventory(sourced: SourcedTransfer, inventory: _Inventory) -> SourcedTransfer:
    transfer = sourced.transfer
    own = transfer.data
    data = own.model_copy(update={
        "categories": own.categories if own.categories is not None
        else tuple(sorted(inventory.counts)),
        "counts": {**inventory.counts, **own.counts},
        "linked": own.linked if own.linked is not None else tuple(inventory.groups),
    })
    evidence = tuple(
        Evidence("inventory", f"{inventory.path.name}#{category}",
                 f"{count:,} distinct values of {category} at rest (scan inventory)")
        for category, count in sorted(inventory.counts.items()))
    return SourcedTransfer(transfer.model_copy(update={"data": data}),
                           sourced.evidence + evidence)


# ---------------------------------------------------------------- flows

def _flows(path: Path) -> list[dict[str, Any]]:
    document = _json(path, FLOWS_SCHEMA)
    groups = document.get("groups")
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise FactsError(str(path), "groups must be a list of objects", field="groups")
    return [{**g, "_path": path} for g in groups if g.get("ultimate_parent")]


def _merge_flows(transfers: list[SourcedTransfer], groups: list[dict[str, Any]],
                 inventory: _Inventory | None, exporter: Exporter) -> list[SourcedTransfer]:
    from databorder.attribute.entities import KnowledgeBase

    knowledge = KnowledgeBase.bundled()

    def top(entity_id: str | None) -> str | None:
        if entity_id is None or entity_id not in knowledge.entities:
            return entity_id
        return knowledge.ultimate_parent(entity_id).id

    out = list(transfers)
    for group in groups:
        parent = str(group["ultimate_parent"])
        evidence = Evidence(
            "destination", f"{Path(group['_path']).name}#{group.get('recipient') or parent}",
            f"{group.get('flows', 0):,} flows, {group.get('bytes_out', 0):,} bytes out to "
            f"{group.get('recipient') or parent} (controlled from "
            f"{group.get('controlled_from') or 'unknown'})")
        match = next((i for i, s in enumerate(out)
                      if top(s.transfer.counterparty.entity) == parent), None)
        if match is not None:
            out[match] = SourcedTransfer(out[match].transfer, out[match].evidence + (evidence,))
            continue
        party = Counterparty(name=group.get("recipient"), entity=parent,
                             controlled_from=group.get("controlled_from"))
        party = resolve_counterparty(party) or party
        sourced = SourcedTransfer(Transfer(name=f"egress to {party.name or parent}",
                                           exporter=exporter, counterparty=party), (evidence,))
        if inventory is not None:
            sourced = _with_inventory(sourced, inventory)
        out.append(sourced)
    return out


__all__ = ["load_facts", "resolve_counterparty"]
