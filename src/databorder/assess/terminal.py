"""The Rich output of ``databorder assess`` and ``databorder rules``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from databorder.assess.engine import Finding
from databorder.assess.pack import SEVERITY_RANK, Rule, RulePack

OUTCOME_STYLE = {
    "prohibited": "bold red", "conflict": "bold magenta", "restricted": "yellow",
    "security_assessment_required": "yellow", "contract_or_certification_required": "yellow",
    "insufficient_facts": "cyan", "exempt": "green", "allowed": "green",
}


def print_findings(findings: Sequence[Finding], console: Console) -> None:
    table = Table(title="Transfers judged against the law", title_justify="left",
                  show_lines=True, expand=True)
    for header, ratio in (("transfer", 2), ("regime", None), ("rule", None), ("outcome", None),
                          ("finding", 3), ("do", 5), ("cite", 2)):
        table.add_column(header, overflow="fold", ratio=ratio, no_wrap=ratio is None)
    order = {name: index for index, name in enumerate(dict.fromkeys(f.transfer for f in findings))}
    for finding in sorted(findings, key=lambda f: (order[f.transfer],
                                                   -SEVERITY_RANK[f.severity])):
        todo = [f"{a['action']}" + (f" ({a['deadline']})" if a["deadline"] else "")
                for a in finding.actions] + [f"? {q}" for q in finding.questions]
        cite = "; ".join(f"{c['instrument']} {c['section']}" for c in finding.citations[:2])
        table.add_row(Text(finding.transfer), finding.regime, finding.rule,
                      Text(finding.outcome, style=OUTCOME_STYLE.get(finding.outcome, "")),
                      Text(finding.title), Text("\n".join(f"• {t}" for t in todo)), Text(cite))
    console.print(table)
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.outcome] = counts.get(finding.outcome, 0) + 1
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    console.print(f"{len(findings)} findings" + (f": {summary}" if summary else "") + ".")


def print_rule_list(packs: Sequence[RulePack], console: Console) -> None:
    table = Table(title="Rules", title_justify="left")
    for header in ("code", "regime", "name", "outcome", "in force from", "citation"):
        table.add_column(header, overflow="fold")
    for pack in packs:
        for rule in pack.rules:
            citation = rule.citations[0]
            table.add_row(rule.code, pack.regime.id, rule.name, rule.outcome,
                          rule.effective.effective_from.isoformat(),
                          Text(f"{citation.instrument} {citation.section}"))
    console.print(table)


def print_rule(pack: RulePack, rule: Rule, console: Console) -> None:
    console.print(Text(f"{rule.code}  {rule.name}", style="bold"))
    console.print(f"regime: {pack.regime.id} — {pack.regime.title}")
    console.print(Text(rule.title))
    console.print(Text(rule.description))
    console.print(f"outcome: {rule.outcome} (severity {rule.severity})"
                  + (f"; {rule.satisfied_outcome} when the safeguard is in place"
                     if rule.satisfied_by else ""))
    effective = rule.effective
    console.print(f"in force: from {effective.effective_from.isoformat()}"
                  + (f" until {effective.until.isoformat()}" if effective.until else "")
                  + f" ({effective.source})")
    console.print("trigger (the rule holds when):")
    console.print(Text(_yaml(rule.trigger)))
    if rule.satisfied_by is not None:
        console.print(f"{rule.satisfied_outcome} instead when:")
        console.print(Text(_yaml(rule.satisfied_by)))
    if rule.needs_review or effective.needs_review:
        console.print(Text(f"needs review: {rule.needs_review or effective.needs_review}",
                           style="yellow"))
    for action in rule.actions:
        since = (f", from {action.effective_from.isoformat()}" if action.effective_from else "")
        console.print(Text(f"action: {action.action} — {action.deadline or 'no deadline'} "
                           f"[{action.citation}{since}]"))
    for citation in rule.citations:
        console.print(Text(f"citation: {citation.instrument} {citation.section}, {citation.url} "
                           f"(read {citation.read.isoformat()}, {citation.confidence})"))


def _yaml(condition: dict[str, object]) -> str:
    import yaml

    text = yaml.safe_dump(condition, sort_keys=False, allow_unicode=True, width=96).rstrip()
    return "\n".join(f"  {line}" for line in text.splitlines())
