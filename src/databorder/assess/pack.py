"""Regime rule packs: ``knowledge/regimes/<regime>/`` holds ``regime.yaml`` (the regime's
country list, constants, category mapping, thresholds, scope and named conditions),
``rules/<CODE>.yaml`` (one rule each) and ``cases.yaml`` (passing and failing examples).

Every figure, list and date is data with its ``source`` and ``as_of``; nothing here knows a
threshold. A pack that does not hold together stops loading with a RulePackError naming the
file and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from databorder.assess.conditions import check
from databorder.errors import RulePackError

Outcome = Literal["prohibited", "restricted", "security_assessment_required",
                  "contract_or_certification_required", "exempt", "allowed", "conflict",
                  "insufficient_facts"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    source: str = Field(min_length=1)
    as_of: date
    needs_review: str | None = None
    """Why this fact is not settled (an UNCONFIRMED item of the research brief)."""


class Constant(Sourced):
    value: Any


class CountryList(Sourced):
    codes: tuple[str, ...] = Field(min_length=1)
    note: str | None = None


class CategoryMap(Sourced):
    map: dict[str, tuple[str, ...]]
    """databorder category id -> the regime's categories it falls under."""


class Thresholds(Sourced):
    window: Literal["rolling_12_months", "calendar_year"]
    more_than: dict[str, int]
    """Regime category -> bulk when the count is strictly more than this."""
    combined_lowest: bool = False
    """Linked data of several categories is bulk at the lowest threshold among them."""


class Linking(Sourced):
    listed_identifiers: tuple[str, ...]
    demographic_or_contact: tuple[str, ...]
    network_service: tuple[str, ...]
    yields: str


class AdequateDestination(_Strict):
    code: str
    name: str
    effective_from: date
    until: date | None = None
    requires_certification: str | None = None
    source: str
    needs_review: str | None = None


class Adequacy(Sourced):
    destinations: tuple[AdequateDestination, ...]


class Citation(_Strict):
    instrument: str = Field(min_length=1)
    section: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    read: date
    confidence: Literal["primary", "secondary"] = "primary"

    def to_json(self) -> dict[str, str]:
        return {"instrument": self.instrument, "section": self.section, "url": self.url,
                "read": self.read.isoformat(), "confidence": self.confidence}


class Action(_Strict):
    action: str = Field(min_length=1)
    deadline: str | None = None
    citation: str = Field(min_length=1)
    effective_from: date | None = None
    """The duty applies to transfers on or after this date (e.g. 28 CFR 202.1001: 6 Oct 2025)."""
    when: Literal["always", "unsatisfied", "satisfied"] = "always"


class Effective(_Strict):
    effective_from: date
    until: date | None = None
    source: str
    needs_review: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.until is None or on < self.until)


class Rule(_Strict):
    code: str = Field(pattern=r"^[A-Z]+[0-9]{3}$")
    name: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    title: str
    description: str
    outcome: Outcome
    severity: Severity
    trigger: dict[str, Any]
    scope_rule: bool = False
    """Evaluated even when the regime's scope is not known (asks the scoping questions)."""
    satisfied_by: dict[str, Any] | None = None
    satisfied_outcome: Outcome = "allowed"
    satisfied_severity: Severity = "info"
    satisfied_title: str | None = None
    effective: Effective
    actions: tuple[Action, ...] = ()
    citations: tuple[Citation, ...] = Field(min_length=1)
    needs_review: str | None = None
    questions: tuple[str, ...] = ()
    """Questions a finding of this rule always asks (for rules that flag a claim for review)."""


class Case(_Strict):
    rule: str
    fires: bool
    outcome: Outcome | None = None
    date: date
    """The assessment date (``--on``); the transfer may carry its own."""
    note: str
    transfer: dict[str, Any]


class Regime(_Strict):
    id: str
    title: str
    summary: str
    countries: CountryList | None = None
    home: CountryList | None = None
    constants: dict[str, Constant] = Field(default_factory=dict)
    category_map: CategoryMap
    thresholds: Thresholds | None = None
    linking: Linking | None = None
    adequacy: Adequacy | None = None
    counts_us_subjects: bool = False
    """Counts without a per-category figure fall back to ``us_persons``/``us_devices``."""
    scope: dict[str, Any]
    definitions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    exemptions: dict[str, str] = Field(default_factory=dict)
    """Exemption ids a transfer file may claim -> what each means."""


@dataclass(frozen=True, slots=True)
class RulePack:
    folder: str
    regime: Regime
    rules: tuple[Rule, ...]
    cases: tuple[Case, ...]

    @property
    def constants(self) -> Mapping[str, Any]:
        return {name: c.value for name, c in self.regime.constants.items()}

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code)


class YamlLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so country codes such as NO (Norway) and keys such
    as ``on`` stay strings."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
YamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                 re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))


def _read(item: Traversable, origin: str) -> Any:
    try:
        return yaml.load(item.read_text("utf-8"), Loader=YamlLoader)  # noqa: S506 - safe loader
    except yaml.YAMLError as error:
        raise RulePackError(f"{origin}: not valid YAML ({error})") from error


def _model(model: type[_Strict], raw: Any, origin: str) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RulePackError(f"{origin}: field {where!r}: {first['msg']}") from error


def load_pack(folder: Traversable, known_facts: frozenset[str]) -> RulePack:
    origin = f"knowledge/regimes/{folder.name}"
    regime: Regime = _model(Regime, _read(folder / "regime.yaml", origin), f"{origin}/regime.yaml")
    rules: list[Rule] = []
    for item in sorted((folder / "rules").iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            rule: Rule = _model(Rule, _read(item, origin), f"{origin}/rules/{item.name}")
            if item.name != f"{rule.code}.yaml":
                raise RulePackError(f"{origin}/rules/{item.name}: file name is not {rule.code}")
            rules.append(rule)
    raw_cases = _read(folder / "cases.yaml", origin) or []
    cases = tuple(_model(Case, raw, f"{origin}/cases.yaml[{i}]")
                  for i, raw in enumerate(raw_cases))
    pack = RulePack(folder.name, regime, tuple(rules), cases)
    _check(pack, origin, known_facts)
    return pack


def _check(pack: RulePack, origin: str, known_facts: frozenset[str]) -> None:
    constants, definitions = pack.constants, pack.regime.definitions
    problems = check(pack.regime.scope, "scope", known_facts, constants, definitions)
    for name, condition in definitions.items():
        problems += check(condition, f"definitions.{name}", known_facts, constants, definitions)
    codes = set()
    for rule in pack.rules:
        if rule.code in codes:
            problems.append(f"{rule.code}: code used twice")
        codes.add(rule.code)
        problems += check(rule.trigger, f"{rule.code}.trigger", known_facts, constants,
                          definitions)
        if rule.satisfied_by is not None:
            problems += check(rule.satisfied_by, f"{rule.code}.satisfied_by", known_facts,
                              constants, definitions)
    problems += [f"cases.yaml: unknown rule {c.rule!r}" for c in pack.cases if c.rule not in codes]
    if problems:
        raise RulePackError(f"{origin}: {problems[0]}")


@cache
def bundled_packs() -> tuple[RulePack, ...]:
    """Every regime pack shipped with databorder, in the order of ``order.yaml``."""
    from databorder.assess.derive import FACT_QUESTIONS

    root = resources.files("databorder").joinpath("knowledge", "regimes")
    order = _read(root / "order.yaml", "knowledge/regimes/order.yaml")
    known = frozenset(FACT_QUESTIONS)
    return tuple(load_pack(root / name, known) for name in order)


def all_rules() -> list[tuple[RulePack, Rule]]:
    return [(pack, rule) for pack in bundled_packs() for rule in pack.rules]
