"""Judge every transfer against every regime pack: facts in, findings out.

Per (transfer, regime): the regime's scope is evaluated first. False: the regime says nothing.
Unknown: only the pack's scope rules run (they ask the scoping questions). True: every rule in
force on the transfer's date runs; a trigger that holds gives its outcome, one that cannot be
decided gives ``insufficient_facts`` with the questions, unless a decided finding of the same
regime is at least as severe (the question would not change what the user must do).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from databorder.assess.conditions import Result, evaluate
from databorder.assess.derive import Context, question, value_of
from databorder.assess.model import Evidence, Facts, SourcedTransfer
from databorder.assess.pack import SEVERITY_RANK, Rule, RulePack, bundled_packs
from databorder.atomic import result_header

FINDINGS_SCHEMA = "databorder.findings/1"


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    regime: str
    rule: str
    name: str
    title: str
    outcome: str
    severity: str
    transfer: str
    counterparty: str | None
    categories: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    actions: tuple[dict[str, str | None], ...]
    questions: tuple[str, ...]
    citations: tuple[dict[str, str], ...]
    date: date
    needs_review: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "regime": self.regime, "rule": self.rule, "name": self.name,
            "title": self.title, "outcome": self.outcome, "severity": self.severity,
            "transfer": self.transfer, "counterparty": self.counterparty,
            "categories": list(self.categories),
            "evidence": [e.to_json() for e in self.evidence],
            "actions": [dict(a) for a in self.actions],
            "questions": list(self.questions),
            "citations": [dict(c) for c in self.citations],
            "date": self.date.isoformat(),
            "needs_review": self.needs_review,
        }


def assess(facts: Facts, on: date, packs: Sequence[RulePack] | None = None) -> list[Finding]:
    """Every finding for every transfer of ``facts``; rules as in force on each transfer's date
    (``on`` for transfers without one)."""
    findings: list[Finding] = []
    for sourced in facts.transfers:
        for pack in packs if packs is not None else bundled_packs():
            findings.extend(assess_transfer(sourced, pack, sourced.transfer.date or on))
    return findings


def assess_transfer(sourced: SourcedTransfer, pack: RulePack, on: date) -> list[Finding]:
    context = Context(sourced.transfer, pack, on)
    constants, definitions = pack.constants, pack.regime.definitions

    def run(condition: dict[str, Any]) -> Result:
        return evaluate(condition, lambda name: value_of(name, context), constants, definitions)

    scope = run(pack.regime.scope)
    if scope.value is False:
        return []
    rules = [r for r in pack.rules if r.effective.in_force(on)
             and (scope.value is True or r.scope_rule)]
    results = [(rule, run(rule.trigger)) for rule in rules]
    decided = [(rule, result) for rule, result in results if result.value is True]
    worst = max((SEVERITY_RANK[_outcome(rule, run)[1]] for rule, _ in decided), default=-1)
    findings = [_finding(sourced, pack, rule, result, run, on) for rule, result in decided]
    undecided = sorted(((rule, result) for rule, result in results
                        if result.value is None and SEVERITY_RANK[rule.severity] > worst),
                       key=lambda item: -SEVERITY_RANK[item[0].severity])
    if undecided:
        # one finding per regime and transfer: the gravest open rule, every open question
        rule, first = undecided[0]
        missing = frozenset().union(*(result.missing for _, result in undecided))
        also = [r.code for r, _ in undecided[1:]]
        finding = _finding(sourced, pack, rule, Result(None, missing), run, on, undecided=True)
        if also:
            finding = replace(finding, evidence=finding.evidence + (Evidence(
                "transfer", "open rules", f"the answers also decide {', '.join(also)}"),))
        findings.append(finding)
    return findings


def _outcome(rule: Rule, run: Any) -> tuple[str, str, bool]:
    if rule.satisfied_by is not None and run(rule.satisfied_by).value is True:
        return rule.satisfied_outcome, rule.satisfied_severity, True
    return rule.outcome, rule.severity, False


def _finding(sourced: SourcedTransfer, pack: RulePack, rule: Rule, result: Result, run: Any,
             on: date, *, undecided: bool = False) -> Finding:
    transfer = sourced.transfer
    if undecided:
        outcome, severity, satisfied = "insufficient_facts", "medium", False
        title = f"Cannot decide: {rule.title[0].lower()}{rule.title[1:]}"
    else:
        outcome, severity, satisfied = _outcome(rule, run)
        title = (rule.satisfied_title or rule.title) if satisfied else rule.title
    actions = [] if undecided else [
        {"action": a.action, "deadline": a.deadline, "citation": a.citation}
        for a in rule.actions
        if (a.effective_from is None or a.effective_from <= on)
        and (a.when == "always" or (a.when == "satisfied") == satisfied)]
    questions = tuple(sorted({question(name) for name in result.missing})) + rule.questions
    evidence = [*sourced.evidence, *(
        Evidence("transfer", name, f"{name} = {shown}") for name, shown in result.held)]
    party = transfer.counterparty
    key = f"{pack.regime.id}|{rule.code}|{transfer.name}"
    return Finding(
        id=hashlib.sha256(key.encode()).hexdigest()[:16], regime=pack.regime.id,
        rule=rule.code, name=rule.name, title=title, outcome=outcome, severity=severity,
        transfer=transfer.name, counterparty=party.name or party.entity,
        categories=tuple(transfer.data.categories or ()), evidence=tuple(evidence),
        actions=tuple(actions), questions=questions,
        citations=tuple(c.to_json() for c in rule.citations), date=on,
        needs_review=rule.needs_review or rule.effective.needs_review)


def findings_document(findings: Sequence[Finding], started_at: datetime,
                      finished_at: datetime | None, as_of: date) -> dict[str, Any]:
    """The ``databorder.findings/1`` JSON document (docs/findings-schema.md)."""
    return {**result_header(FINDINGS_SCHEMA, started_at, finished_at),
            "as_of": as_of.isoformat(),
            "regimes": [{"id": p.regime.id, "title": p.regime.title, "rules": len(p.rules)}
                        for p in bundled_packs()],
            "findings": [f.to_json() for f in findings]}
