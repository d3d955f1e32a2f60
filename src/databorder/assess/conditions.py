"""The small condition language of rule triggers, evaluated in three-valued (Kleene) logic.

A condition is one of::

    {all: [c, ...]}        every one holds
    {any: [c, ...]}        at least one holds
    {not: c}
    {unknown: c}           c cannot be decided from the facts (used by "scope unknown" rules)
    {ref: name}            a named condition of the regime (``definitions:`` in regime.yaml)
    {fact: name, OP: v}    OP is one of is, eq, ne, in, not_in, gt, ge, lt, le,
                           contains_any, contains_none, known

``v`` may be ``$name``: a constant of the regime (with its own source and as_of). A fact that
is not known makes its comparison unknown; ``all``/``any``/``not`` then follow Kleene logic,
and an unknown result carries the facts that would decide it (their questions reach the user).
A count may be a :class:`Bound` (counted over a wider or narrower window than the rule's):
only comparisons the bound decides are decided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

OPERATORS = frozenset({"is", "eq", "ne", "in", "not_in", "gt", "ge", "lt", "le",
                       "contains_any", "contains_none", "known"})
COMBINATORS = frozenset({"all", "any", "not", "unknown", "ref"})


@dataclass(frozen=True, slots=True)
class Bound:
    """A count known only from one side: at least ``value``, or at most ``value``."""

    value: int
    side: Literal["at_least", "at_most"]

    def __str__(self) -> str:
        return f"{'>=' if self.side == 'at_least' else '<='} {self.value:,}"


@dataclass(frozen=True, slots=True)
class AtLeastItems:
    """A set known to contain ``items`` and perhaps some of ``possible`` (inputs not known)."""

    items: frozenset[str]
    possible: frozenset[str]

    def __str__(self) -> str:
        return f"at least {sorted(self.items)}"


FactValue = (bool | int | float | str | date | tuple[str, ...] | Bound | AtLeastItems | None)


@dataclass(frozen=True, slots=True)
class Result:
    value: bool | None
    missing: frozenset[str] = frozenset()
    """Facts whose being unknown left the result undecided (or, under ``unknown``, made it
    true): their questions reach the user."""
    held: tuple[tuple[str, str], ...] = field(default=())
    """(fact, shown value) of comparisons that held and support a true result."""


Facts = Callable[[str], FactValue]


def evaluate(condition: Mapping[str, Any], facts: Facts, constants: Mapping[str, Any],
             definitions: Mapping[str, Mapping[str, Any]]) -> Result:
    """Evaluate ``condition``; ``facts(name)`` returns a fact's value (None if unknown)."""
    if "all" in condition:
        parts = [evaluate(c, facts, constants, definitions) for c in condition["all"]]
        if any(p.value is False for p in parts):
            return Result(False)
        if any(p.value is None for p in parts):
            return Result(None, _union(p.missing for p in parts if p.value is None))
        return Result(True, _union(p.missing for p in parts), held=_held(parts))
    if "any" in condition:
        parts = [evaluate(c, facts, constants, definitions) for c in condition["any"]]
        if any(p.value is True for p in parts):
            true = [p for p in parts if p.value is True]
            return Result(True, _union(p.missing for p in true), held=_held(true))
        if any(p.value is None for p in parts):
            return Result(None, _union(p.missing for p in parts if p.value is None))
        return Result(False)
    if "not" in condition:
        inner = evaluate(condition["not"], facts, constants, definitions)
        if inner.value is None:
            return inner
        return Result(not inner.value)
    if "unknown" in condition:
        inner = evaluate(condition["unknown"], facts, constants, definitions)
        return Result(inner.value is None, inner.missing)
    if "ref" in condition:
        return evaluate(definitions[condition["ref"]], facts, constants, definitions)
    name = condition["fact"]
    operator, expected = next((k, v) for k, v in condition.items() if k != "fact")
    expected = resolve_constant(expected, constants)
    actual = facts(name)
    decided = compare(actual, operator, expected)
    if decided is None:
        return Result(None, frozenset({name}))
    return Result(decided, held=((name, show(actual)),) if decided else ())


def resolve_constant(value: Any, constants: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return constants[value[1:]]
    return value


def compare(actual: FactValue, operator: str, expected: Any) -> bool | None:
    """One comparison; None when the fact is not known well enough to decide it."""
    if operator == "known":
        return (actual is not None) == bool(expected)
    if actual is None:
        return None
    if isinstance(actual, Bound):
        return _compare_bound(actual, operator, expected)
    if isinstance(actual, AtLeastItems):
        if operator in ("contains_any", "contains_none"):
            if actual.items & set(expected):
                decided = True
            elif actual.possible & set(expected):
                return None
            else:
                decided = False
            return decided if operator == "contains_any" else not decided
        return None
    match operator:
        case "is" | "eq":
            return bool(actual == expected)
        case "ne":
            return bool(actual != expected)
        case "in":
            return actual in expected
        case "not_in":
            return actual not in expected
        case "gt":
            return bool(actual > expected)
        case "ge":
            return bool(actual >= expected)
        case "lt":
            return bool(actual < expected)
        case "le":
            return bool(actual <= expected)
        case "contains_any":
            return bool(set(_items(actual)) & set(expected))
        case "contains_none":
            return not set(_items(actual)) & set(expected)
    raise ValueError(f"unknown operator {operator!r}")


def _compare_bound(bound: Bound, operator: str, expected: int) -> bool | None:
    low = bound.side == "at_least"
    match operator:
        case "gt":
            return True if low and bound.value > expected else (
                False if not low and bound.value <= expected else None)
        case "ge":
            return True if low and bound.value >= expected else (
                False if not low and bound.value < expected else None)
        case "lt":
            result = _compare_bound(bound, "ge", expected)
            return None if result is None else not result
        case "le":
            result = _compare_bound(bound, "gt", expected)
            return None if result is None else not result
    return None


def _items(value: FactValue) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value
    return (str(value),)


def show(value: FactValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "(none)"
    return str(value)


def _union(sets: Any) -> frozenset[str]:
    out: set[str] = set()
    for s in sets:
        out |= s
    return frozenset(out)


def _held(parts: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for part in parts:
        out.extend(h for h in part.held if h not in out)
    return tuple(out)


def check(condition: Any, where: str, facts: frozenset[str], constants: Mapping[str, Any],
          definitions: Mapping[str, Any]) -> list[str]:
    """Problems with a condition's shape: unknown facts, operators, constants or refs."""
    if not isinstance(condition, dict) or len(condition) == 0:
        return [f"{where}: a condition must be a non-empty mapping"]
    keys = set(condition)
    if keys & {"all", "any"}:
        key = next(iter(keys & {"all", "any"}))
        if len(keys) != 1 or not isinstance(condition[key], list) or not condition[key]:
            return [f"{where}: {key!r} takes a non-empty list and nothing beside it"]
        return [p for i, c in enumerate(condition[key])
                for p in check(c, f"{where}.{key}[{i}]", facts, constants, definitions)]
    if keys & {"not", "unknown"}:
        key = next(iter(keys & {"not", "unknown"}))
        if len(keys) != 1:
            return [f"{where}: {key!r} stands alone"]
        return check(condition[key], f"{where}.{key}", facts, constants, definitions)
    if "ref" in keys:
        if len(keys) != 1 or condition["ref"] not in definitions:
            return [f"{where}: unknown definition {condition.get('ref')!r}"]
        return []
    if "fact" not in keys or len(keys) != 2:
        return [f"{where}: a comparison is {{fact: NAME, OPERATOR: VALUE}}"]
    problems = []
    if condition["fact"] not in facts and not any(
            condition["fact"].startswith(p) for p in ("data.count.",)):
        problems.append(f"{where}: unknown fact {condition['fact']!r}")
    operator = next(k for k in keys if k != "fact")
    if operator not in OPERATORS:
        problems.append(f"{where}: unknown operator {operator!r}")
    value = condition[operator]
    if isinstance(value, str) and value.startswith("$") and value[1:] not in constants:
        problems.append(f"{where}: unknown constant {value!r}")
    return problems
