"""Result documents checked and flattened into the store's normalised rows.

A document that is not what its schema key says (a missing key, a count that is not a number)
raises :class:`StoreError` naming the document, the list and the index, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from databorder.errors import StoreError

SCHEMAS = {
    "inventory": "databorder.inventory/1",
    "flows": "databorder.flows/1",
    "findings": "databorder.findings/1",
}

Row = dict[str, Any]


def check_schema(kind: str, document: Mapping[str, Any]) -> str:
    """The document's schema key, which must be the one this store knows for ``kind``."""
    if not isinstance(document, Mapping):
        raise StoreError(f"{kind} document: not a JSON object")
    schema = document.get("schema")
    if schema != SCHEMAS[kind]:
        found = repr(schema) if isinstance(schema, str) and len(schema) <= 60 else _shown(schema)
        raise StoreError(f"{kind} document: schema must be {SCHEMAS[kind]!r}, not {found}")
    return str(schema)


def field_rows(inventory: Mapping[str, Any]) -> list[Row]:
    return [{
        "source": _text(item, "source", where),
        "table_name": _optional_text(item, "table", where),
        "field": _text(item, "field", where),
        "category": _text(item, "category", where),
        "rows": _count(item, "rows", where),
        "distinct": _count(item, "distinct", where),
        "distinct_exact": _flag(item, "distinct_exact", where),
        "confidence": _number(item, "confidence", where),
    } for item, where in _items(inventory, "inventory", "fields")]


def category_rows(inventory: Mapping[str, Any]) -> list[Row]:
    categories = inventory.get("categories")
    if not isinstance(categories, Mapping):
        raise StoreError("inventory document: 'categories' must be an object")
    rows = []
    for name, item in categories.items():
        where = f"inventory categories[{name!r}]"
        if not isinstance(item, Mapping):
            raise StoreError(f"{where}: not an object")
        rows.append({
            "category": str(name),
            "rows": _count(item, "rows", where),
            "distinct": _count(item, "distinct", where),
            "exact": _flag(item, "distinct_exact", where),
            "unit": _optional_text(item, "unit", where),
        })
    return rows


def destination_rows(flows: Mapping[str, Any]) -> list[Row]:
    return [{
        "recipient": _text(item, "recipient", where),
        "ultimate_parent": _optional_text(item, "ultimate_parent", where),
        "controlled_from": _optional_text(item, "controlled_from", where),
        "country_of_concern": _optional(item, "country_of_concern", where, _is_flag, "bool"),
        "flows": _count(item, "flows", where),
        "bytes_out": _count(item, "bytes_out", where),
        "bytes_in": _optional(item, "bytes_in", where, _is_count, "count"),
        "internal_hosts": _count(item, "internal_hosts", where),
    } for item, where in _items(flows, "flows", "groups")]


def finding_rows(findings: Mapping[str, Any]) -> list[Row]:
    return [{
        "finding_id": _text(item, "id", where),
        "regime": _text(item, "regime", where),
        "rule": _text(item, "rule", where),
        "outcome": _text(item, "outcome", where),
        "severity": _optional_text(item, "severity", where),
        "transfer": _label(item.get("transfer")),
        "counterparty": _label(item.get("counterparty")),
    } for item, where in _items(findings, "findings", "findings")]


def _label(value: Any) -> str | None:
    """A transfer or counterparty as text: itself, its ``id`` or ``name``, else its JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("id", "name"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _items(document: Mapping[str, Any], kind: str,
           key: str) -> list[tuple[Mapping[str, Any], str]]:
    items = document.get(key)
    if not isinstance(items, list):
        raise StoreError(f"{kind} document: {key!r} must be a list")
    found = []
    for index, item in enumerate(items):
        where = f"{kind} {key}[{index}]"
        if not isinstance(item, Mapping):
            raise StoreError(f"{where}: not an object")
        found.append((item, where))
    return found


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _required(item: Mapping[str, Any], key: str, where: str, test: Callable[[Any], bool],
              expected: str) -> Any:
    if key not in item:
        raise StoreError(f"{where}: {key!r} is missing")
    value = item[key]
    if not test(value):
        raise StoreError(f"{where}: {key!r} must be a {expected}, not {_shown(value)}")
    return value


def _optional(item: Mapping[str, Any], key: str, where: str, test: Callable[[Any], bool],
              expected: str) -> Any:
    if item.get(key) is None:
        return None
    return _required(item, key, where, test, expected)


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    return str(_required(item, key, where, _is_text, "string"))


def _optional_text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _optional(item, key, where, _is_text, "string")
    return None if value is None else str(value)


def _count(item: Mapping[str, Any], key: str, where: str) -> int:
    return int(_required(item, key, where, _is_count, "non-negative integer"))


def _flag(item: Mapping[str, Any], key: str, where: str) -> bool:
    return bool(_required(item, key, where, _is_flag, "bool"))


def _number(item: Mapping[str, Any], key: str, where: str) -> float:
    return float(_required(item, key, where, _is_number, "number"))


def _shown(value: Any) -> str:
    """A value's type, never the value: documents may be hostile or hold data."""
    return "null" if value is None else type(value).__name__
