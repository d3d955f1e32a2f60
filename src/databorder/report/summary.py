"""What a reader takes in first: the summary, and the data behind the Sankey and bar charts.

Only facts in the run document are shown. Egress logs say which recipient received how many
bytes, not which category of data the bytes held; a category is linked to a recipient only
where a finding that reached an outcome names both (typically a declared transfer); findings
with insufficient facts do not count. Every other recipient hangs off one node that says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from databorder.report.model import OUTCOMES, CategoryRow, Finding, GroupRow, RunReport

UNKNOWN_JURISDICTION = "unknown"
UNOBSERVED_NODE = "egress (category per recipient not observed)"
WORST_FINDINGS = 5
UNDECIDED = frozenset({"insufficient_facts"})
"""Outcomes that do not establish a category -> recipient link: the facts are not known (the
rules engine names every inventoried category for each egress recipient it cannot judge)."""
FAILING_OUTCOMES = frozenset({"prohibited", "restricted", "security_assessment_required",
                              "contract_or_certification_required", "conflict"})


@dataclass(frozen=True)
class Headcount:
    """The most distinct values of any one category of a unit: a floor on persons or devices."""

    unit: str
    distinct: int
    exact: bool
    category: str


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    bytes_out: int
    flows: int
    recipients: tuple[str, ...]
    of_concern: bool


@dataclass
class Sankey:
    """Plotly's Sankey arrays: node labels and kinds, links as (source, target, value, label)."""

    labels: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    link_labels: list[str] = field(default_factory=list)
    observed_links: int = 0
    unit: str = "bytes out"
    not_drawn: list[str] = field(default_factory=list)
    """Counterparties findings name that no egress group matches (declared transfers)."""

    def node(self, label: str, kind: str) -> int:
        for index, (known, known_kind) in enumerate(zip(self.labels, self.kinds, strict=True)):
            if known == label and known_kind == kind:
                return index
        self.labels.append(label)
        self.kinds.append(kind)
        return len(self.labels) - 1

    def link(self, source: int, target: int, value: float, label: str) -> None:
        self.sources.append(source)
        self.targets.append(target)
        self.values.append(value)
        self.link_labels.append(label)


@dataclass(frozen=True)
class Summary:
    categories: list[CategoryRow]
    headcounts: list[Headcount]
    recipients: list[GroupRow]
    jurisdictions: list[Jurisdiction]
    concerns: list[GroupRow]
    worst_findings: list[Finding]
    failing_findings: int
    egress_bytes: int
    private_bytes: int
    data_ages: list[tuple[str, str]]


def summarise(report: RunReport) -> Summary:
    categories = sorted(report.inventory.categories if report.inventory else [],
                        key=lambda c: (-c.distinct, c.id))
    headcounts = []
    for unit in ("persons", "devices"):
        of_unit = [c for c in categories if c.unit == unit]
        if of_unit:
            top = max(of_unit, key=lambda c: (c.distinct, c.id))
            headcounts.append(Headcount(unit, top.distinct, top.distinct_exact, top.title))
    groups = report.flows.groups if report.flows else []
    recipients = sorted((g for g in groups if g.is_external), key=lambda g: (-g.bytes_out,
                                                                              g.recipient))
    findings = report.findings.findings if report.findings else []
    ages = [(name, source) for name, source in (report.flows.data_sources.items()
                                                if report.flows else [])]
    if report.findings and report.findings.as_of:
        ages.append(("rules and facts", f"as of {report.findings.as_of}"))
    return Summary(
        categories=categories, headcounts=headcounts, recipients=recipients,
        jurisdictions=jurisdictions(recipients),
        concerns=[g for g in recipients if g.country_of_concern],
        worst_findings=findings[:WORST_FINDINGS],
        failing_findings=sum(f.outcome in FAILING_OUTCOMES for f in findings),
        egress_bytes=sum(g.bytes_out for g in recipients),
        private_bytes=sum(g.bytes_out for g in groups if not g.is_external),
        data_ages=ages)


def jurisdictions(recipients: list[GroupRow]) -> list[Jurisdiction]:
    """Bytes out by the country the recipient is controlled from, most first."""
    totals: dict[str, list[GroupRow]] = defaultdict(list)
    for group in recipients:
        totals[group.controlled_from or UNKNOWN_JURISDICTION].append(group)
    found = [Jurisdiction(code=code, bytes_out=sum(g.bytes_out for g in members),
                          flows=sum(g.flows for g in members),
                          recipients=tuple(sorted({g.recipient for g in members})),
                          of_concern=any(g.country_of_concern for g in members))
             for code, members in totals.items()]
    return sorted(found, key=lambda j: (-j.bytes_out, -j.flows, j.code))


def sankey(report: RunReport) -> Sankey:
    """Category -> recipient -> jurisdiction, widths in bytes out (flows when no bytes).

    A recipient's width is split evenly over the categories findings link to it; recipients no
    finding links take their width from the "not observed" node, which every inventoried
    category feeds in equal parts: any of them may have gone there, none is known to have.
    """
    recipients = summarise(report).recipients
    use_bytes = any(g.bytes_out for g in recipients) or not recipients
    chart = Sankey(unit="bytes out" if use_bytes else "flows",
                   not_drawn=_not_drawn(report, recipients))
    if not recipients:
        return chart

    def weight(group: GroupRow) -> float:
        return float(group.bytes_out if use_bytes else group.flows)

    titles = {c.id: c.title for c in report.inventory.categories} if report.inventory else {}
    observed = _observed_categories(report, recipients)
    unobserved_weight = 0.0
    for group in recipients:
        recipient = chart.node(group.recipient, "recipient")
        place = group.controlled_from or UNKNOWN_JURISDICTION
        kind = "concern" if group.country_of_concern else (
            "unknown" if place == UNKNOWN_JURISDICTION else "jurisdiction")
        chart.link(recipient, chart.node(place, kind), weight(group),
                   f"{group.recipient} → {place}")
        linked = observed.get(group.recipient, [])
        for category in linked:
            label = titles.get(category, category)
            chart.link(chart.node(label, "category"), recipient, weight(group) / len(linked),
                       f"{label} → {group.recipient} (named by a finding)")
        if not linked:
            chart.link(chart.node(UNOBSERVED_NODE, "unobserved"), recipient, weight(group),
                       f"egress → {group.recipient}")
            unobserved_weight += weight(group)
    chart.observed_links = sum(len(v) for v in observed.values())
    if unobserved_weight and titles:
        unobserved = chart.node(UNOBSERVED_NODE, "unobserved")
        for label in titles.values():
            chart.link(chart.node(label, "category"), unobserved, unobserved_weight / len(titles),
                       f"{label}: inventoried; recipient not observed")
    return chart


def transfers_sankey(report: RunReport) -> Sankey:
    """Category -> recipient -> outcome, from the decided findings that name both a recipient
    and categories (declared transfers, mostly). Every (category, recipient) pair is one unit
    wide: findings state which data goes where, not how much."""
    chart = Sankey(unit="declared categories")
    titles = {c.id: c.title for c in report.inventory.categories} if report.inventory else {}
    named: dict[str, set[str]] = defaultdict(set)
    worst: dict[str, str] = {}
    for finding in report.findings.findings if report.findings else []:
        if finding.outcome in UNDECIDED or not finding.counterparty or not finding.categories:
            continue
        named[finding.counterparty].update(finding.categories)
        known = worst.get(finding.counterparty)
        if known is None or OUTCOMES.index(finding.outcome) < OUTCOMES.index(known):
            worst[finding.counterparty] = finding.outcome
    for recipient in sorted(named, key=lambda name: (OUTCOMES.index(worst[name]), name)):
        node = chart.node(recipient, "recipient")
        for category in sorted(named[recipient]):
            label = titles.get(category, category)
            chart.link(chart.node(label, "category"), node, 1.0, f"{label} → {recipient}")
        outcome = worst[recipient].replace("_", " ")
        chart.link(node, chart.node(outcome, "outcome:" + worst[recipient]),
                   float(len(named[recipient])), f"{recipient}: {outcome}")
    return chart


def _recipient_keys(recipients: list[GroupRow]) -> dict[str, str]:
    """Casefolded recipient name and ultimate-parent id -> the recipient's name."""
    keys = {}
    for group in recipients:
        keys[group.recipient.casefold()] = group.recipient
        if group.ultimate_parent:
            keys[group.ultimate_parent.casefold()] = group.recipient
    return keys


def _not_drawn(report: RunReport, recipients: list[GroupRow]) -> list[str]:
    keys = _recipient_keys(recipients)
    named = {f.counterparty for f in (report.findings.findings if report.findings else [])
             if f.counterparty}
    return sorted(name for name in named if name.casefold() not in keys)


def _observed_categories(report: RunReport, recipients: list[GroupRow]) -> dict[str, list[str]]:
    """Recipient name -> the categories decided findings say went to it (by name or parent
    id)."""
    keys = _recipient_keys(recipients)
    observed: dict[str, list[str]] = defaultdict(list)
    for finding in report.findings.findings if report.findings else []:
        recipient = keys.get((finding.counterparty or "").casefold())
        if recipient is None or finding.outcome in UNDECIDED:
            continue
        for category in finding.categories:
            if category not in observed[recipient]:
                observed[recipient].append(category)
    return {name: sorted(categories) for name, categories in observed.items()}
