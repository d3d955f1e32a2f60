"""The condition language: Kleene logic, bounds, named conditions, shape checks."""

from __future__ import annotations

from typing import Any

import pytest

from databorder.assess.conditions import AtLeastItems, Bound, FactValue, check, compare, evaluate


def _run(condition: dict[str, Any], **facts: FactValue) -> tuple[bool | None, frozenset[str]]:
    def lookup(name: str) -> FactValue:
        return facts.get(name.replace(".", "_"))

    result = evaluate(condition, lookup, {"limit": 10}, {"big": {"fact": "n", "gt": "$limit"}})
    return result.value, result.missing


def test_kleene_all_and_any() -> None:
    both = {"all": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}
    assert _run(both, a=True, b=True) == (True, frozenset())
    assert _run(both, a=False) == (False, frozenset())  # one false decides, b not asked
    assert _run(both, a=True) == (None, frozenset({"b"}))
    either = {"any": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}
    assert _run(either, a=True) == (True, frozenset())
    assert _run(either, a=False) == (None, frozenset({"b"}))
    assert _run({"not": {"fact": "a", "is": True}}) == (None, frozenset({"a"}))
    assert _run({"unknown": {"fact": "a", "is": True}}) == (True, frozenset({"a"}))
    assert _run({"unknown": {"fact": "a", "is": True}}, a=False)[0] is False
    asked = {"all": [{"unknown": {"fact": "a", "is": True}}, {"fact": "b", "is": True}]}
    assert _run(asked, b=True) == (True, frozenset({"a"}))


def test_constants_and_named_conditions() -> None:
    assert _run({"ref": "big"}, n=11)[0] is True
    assert _run({"ref": "big"}, n=10)[0] is False


@pytest.mark.parametrize(("bound", "operator", "limit", "expected"), [
    (Bound(500, "at_least"), "gt", 100, True),
    (Bound(50, "at_least"), "gt", 100, None),
    (Bound(50, "at_most"), "gt", 100, False),
    (Bound(500, "at_most"), "gt", 100, None),
    (Bound(100, "at_least"), "ge", 100, True),
    (Bound(99, "at_most"), "lt", 100, True),
    (Bound(100, "at_most"), "lt", 100, None),
    (Bound(5, "at_least"), "eq", 5, None),
])
def test_bounds_decide_only_what_they_can(bound: Bound, operator: str, limit: int,
                                         expected: bool | None) -> None:
    assert compare(bound, operator, limit) is expected


def test_partly_known_sets() -> None:
    some = AtLeastItems(frozenset({"a"}), frozenset({"b"}))
    assert compare(some, "contains_any", ["a"]) is True
    assert compare(some, "contains_any", ["b"]) is None
    assert compare(some, "contains_any", ["c"]) is False
    assert compare(some, "contains_none", ["c"]) is True


def test_shape_problems_are_named() -> None:
    facts = frozenset({"a"})
    assert check({"fact": "a", "is": True}, "x", facts, {}, {}) == []
    assert check({"fact": "z", "is": True}, "x", facts, {}, {}) == ["x: unknown fact 'z'"]
    assert check({"fact": "a", "like": 1}, "x", facts, {}, {}) == ["x: unknown operator 'like'"]
    assert check({"fact": "a", "gt": "$nope"}, "x", facts, {}, {}) == [
        "x: unknown constant '$nope'"]
    assert check({"ref": "nope"}, "x", facts, {}, {}) == ["x: unknown definition 'nope'"]
    assert check({"all": []}, "x", facts, {}, {}) != []
