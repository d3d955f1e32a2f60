"""SARIF 2.1.0: findings and inventoried fields as results that code-scanning tools show.

- A finding is a result of its rule (``ruleId`` = the rule code, ``helpUri`` = its first
  citation); its level follows the severity. ``allowed`` and ``exempt`` are ``kind: pass``, and
  ``insufficient_facts`` is ``kind: review`` (a person must answer the finding's questions); both
  then carry ``level: none`` as the specification requires.
- An inventoried field is a ``note`` of the rule ``category/<id>``: located at its source file
  (a relative path as written by the scan, resolved against ``%SRCROOT%``; an absolute path as
  a ``file://`` URI; a database by its URL, which never holds a password), with a logical
  location ``table/field``.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote, urlsplit

from databorder.report.model import FieldRow, Finding, RunReport
from databorder.report.numbers import count

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note",
          "info": "note"}
PASSING = frozenset({"allowed", "exempt"})
CATEGORY_RULE = "category/"


def render_sarif(report: RunReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in report.findings.findings if report.findings else []:
        rules.setdefault(finding.rule, _finding_rule(finding))
        results.append(_finding_result(finding, report))
    titles = {c.id: c for c in report.inventory.categories} if report.inventory else {}
    for field in report.inventory.fields if report.inventory else []:
        rule_id = CATEGORY_RULE + field.category
        category = titles.get(field.category)
        rules.setdefault(rule_id, {
            "id": rule_id, "name": f"PersonalData/{field.category}",
            "shortDescription": {"text": (category.title if category else field.category)},
            "fullDescription": {"text": "A field holds personal data of this category."},
            "defaultConfiguration": {"level": "note"},
            "properties": {"tags": ["personal-data", field.category]}})
        results.append(_field_result(field, rule_id))
    order = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(order)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    run = report.run
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "databorder", "version": run.tool_version,
                                "rules": [rules[rule_id] for rule_id in order]}},
            "automationDetails": {"id": f"databorder/{run.command}/{run.id}"},
            "invocations": [_invocation(report)],
            "originalUriBaseIds": {SOURCE_ROOT: {
                "description": {"text": "The directory the scan was run from."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"run": {"id": run.id, "command": run.command,
                                   "status": run.status}},
        }],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _invocation(report: RunReport) -> dict[str, Any]:
    run = report.run
    invocation: dict[str, Any] = {"executionSuccessful": run.status == "complete",
                                  "startTimeUtc": run.started_at}
    if run.finished_at:
        invocation["endTimeUtc"] = run.finished_at
    errors = report.inventory.errors if report.inventory else []
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": problem}} for problem in errors]
    return invocation


def _finding_rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.rule, "name": finding.name,
        "shortDescription": {"text": finding.title},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"regime": finding.regime, "tags": ["data-transfer", finding.regime]}}
    url = next((c.url for c in finding.citations if c.url), None)
    if url:
        rule["helpUri"] = url
    return rule


def _finding_result(finding: Finding, report: RunReport) -> dict[str, Any]:
    text = finding.title
    if finding.counterparty:
        text += f" (recipient: {finding.counterparty})"
    text += f": {finding.outcome.replace('_', ' ')}."
    if finding.actions:
        text += " Action: " + "; ".join(a.action for a in finding.actions) + "."
    result: dict[str, Any] = {"ruleId": finding.rule, "message": {"text": text}}
    if finding.outcome in PASSING:
        result.update(kind="pass", level="none")
    elif finding.outcome == "insufficient_facts":
        result.update(kind="review", level="none")
    else:
        result.update(kind="fail", level=LEVELS[finding.severity])
    locations = _evidence_locations(finding, report)
    if locations:
        result["locations"] = locations
    result["partialFingerprints"] = {"databorderFinding/v1": finding.id}
    result["properties"] = {
        "severity": finding.severity, "outcome": finding.outcome, "regime": finding.regime,
        "transfer": finding.transfer, "counterparty": finding.counterparty,
        "categories": list(finding.categories),
        "evidence": [{"kind": e.kind, "ref": e.ref, "detail": e.detail}
                     for e in finding.evidence],
        "actions": [{"action": a.action, "deadline": a.deadline, "citation": a.citation}
                    for a in finding.actions],
        "questions": list(finding.questions),
        "citations": [{"instrument": c.instrument, "section": c.section, "url": c.url,
                       "read": c.read} for c in finding.citations]}
    return result


def _evidence_locations(finding: Finding, report: RunReport) -> list[dict[str, Any]]:
    """Evidence whose ref names an inventoried source (``SOURCE`` or ``SOURCE#FIELD``) is
    located there; the transfer (or else the recipient) is one logical location. The rest of
    the evidence stays in the result's properties."""
    sources = sorted({s.source for s in report.inventory.sources} if report.inventory else [],
                     key=len, reverse=True)
    locations: list[dict[str, Any]] = []
    for item in finding.evidence:
        source = next((s for s in sources if item.ref == s or item.ref.startswith(s + "#")),
                      None)
        if source is None:
            continue
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact(source)}}
        member = item.ref[len(source) + 1:]
        if member:
            location["logicalLocations"] = [{"fullyQualifiedName": member, "kind": "member"}]
        locations.append(location)
    subject = (("transfer", finding.transfer) if finding.transfer else
               ("recipient", finding.counterparty) if finding.counterparty else None)
    if subject is not None:
        locations.append({"logicalLocations": [{
            "fullyQualifiedName": f"{subject[0]}/{subject[1]}", "name": subject[1],
            "kind": "resource"}]})
    return locations


def _field_result(field: FieldRow, rule_id: str) -> dict[str, Any]:
    where = f"{field.table}/{field.field}" if field.table else field.field
    samples = f" Masked samples: {', '.join(field.masked_samples)}." if field.masked_samples \
        else ""
    return {
        "ruleId": rule_id, "kind": "fail", "level": "note",
        "message": {"text": f"{field.field} holds {field.category}: "
                            f"{count(field.rows)} rows, "
                            f"{count(field.distinct, field.distinct_exact)} distinct values "
                            f"(confidence {field.confidence:.2f}).{samples}"},
        "locations": [{
            "physicalLocation": {"artifactLocation": _artifact(field.source)},
            "logicalLocations": [{"fullyQualifiedName": where, "name": field.field,
                                  "kind": "member"}]}],
        "partialFingerprints": {"databorderField/v1": f"{field.source}|{where}|{field.category}"},
        "properties": {"category": field.category, "method": field.method,
                       "detectors": list(field.detectors), "rows": field.rows,
                       "distinct": field.distinct, "distinctExact": field.distinct_exact,
                       "confidence": round(field.confidence, 3),
                       "maskedSamples": list(field.masked_samples)},
    }


def _artifact(source: str) -> dict[str, Any]:
    """A relative path against %SRCROOT%, an absolute one as file://, a URL as itself."""
    if urlsplit(source).scheme and "://" in source:
        return {"uri": source}
    if PureWindowsPath(source).drive:
        return {"uri": PureWindowsPath(source).as_uri()}
    path = PurePosixPath(source)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": SOURCE_ROOT}
