"""SARIF 2.1.0: valid against the OASIS schema, with the findings and fields where tools look."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from databorder.report import render

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _errors(validator: jsonschema.protocols.Validator, document: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


def test_schema_rejects_what_it_should(validator: jsonschema.protocols.Validator,
                                       small_document: dict[str, Any]) -> None:
    sarif = json.loads(render(small_document, "sarif"))
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    del sarif["runs"][0]["tool"]["driver"]["name"]
    assert len(_errors(validator, sarif)) >= 2


@pytest.mark.parametrize("which", ["small_document", "sample_document"])
def test_sarif_validates(which: str, validator: jsonschema.protocols.Validator,
                         request: pytest.FixtureRequest) -> None:
    document = request.getfixturevalue(which)
    assert _errors(validator, json.loads(render(document, "sarif"))) == []


def test_findings_are_results_of_their_rules(sample_document: dict[str, Any]) -> None:
    run = json.loads(render(sample_document, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    findings = sample_document["findings"]["findings"]
    by_rule = {r["id"]: r for r in rules}
    results = [r for r in run["results"] if not r["ruleId"].startswith("category/")]
    assert sorted(r["ruleId"] for r in results) == sorted(f["rule"] for f in findings)
    for result in results:
        finding = next(f for f in findings if f["id"] ==
                       result["partialFingerprints"]["databorderFinding/v1"])
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        assert by_rule[finding["rule"]]["helpUri"] == finding["citations"][0]["url"]
        assert result["properties"]["outcome"] == finding["outcome"]
        assert result["properties"]["citations"][0]["url"] == finding["citations"][0]["url"]
        assert finding["title"] in result["message"]["text"]
    levels = {r["properties"]["outcome"]: (r["kind"], r["level"]) for r in results}
    assert levels == {"prohibited": ("fail", "error"), "restricted": ("fail", "error"),
                      "security_assessment_required": ("fail", "error"),
                      "contract_or_certification_required": ("fail", "warning"),
                      "insufficient_facts": ("review", "none"), "exempt": ("pass", "none")}


def test_fields_are_located_at_their_source(sample_document: dict[str, Any]) -> None:
    run = json.loads(render(sample_document, "sarif"))["runs"][0]
    fields = sample_document["inventory"]["fields"]
    results = [r for r in run["results"] if r["ruleId"].startswith("category/")]
    assert len(results) == len(fields)
    for result, field in zip(results, fields, strict=True):
        assert result["ruleId"] == f"category/{field['category']}"
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == \
            Path(field["source"]).as_uri()  # the samples were scanned by absolute path
        where = location["logicalLocations"][0]["fullyQualifiedName"]
        assert where == (f"{field['table']}/{field['field']}" if field["table"]
                         else field["field"])
        assert result["properties"]["maskedSamples"] == field["masked_samples"]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {
        f"category/{c}" for c in sample_document["inventory"]["categories"]}


def test_locations_by_kind_of_source(small_document: dict[str, Any]) -> None:
    results = json.loads(render(small_document, "sarif"))["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0]
            ["physicalLocation"]["artifactLocation"].get("uriBaseId")
            for r in results if r["ruleId"].startswith("category/")}
    assert uris == {"shop/orders.csv": "%SRCROOT%", "file:///var/data/crm.sqlite": None}


def test_incomplete_run_is_not_a_successful_invocation(small_document: dict[str, Any]) -> None:
    run = json.loads(render(small_document, "sarif"))["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "endTimeUtc" not in invocation
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "shop/broken.json:")


def test_real_assessment_validates(assessed_document: dict[str, Any],
                                   validator: jsonschema.protocols.Validator) -> None:
    findings = assessed_document["findings"]["findings"]
    assert findings, "the transfer file example should give findings"
    run = json.loads(render(assessed_document, "sarif"))["runs"][0]
    assert _errors(validator, {"version": "2.1.0", "runs": [run]}) == []
    results = [r for r in run["results"] if not r["ruleId"].startswith("category/")]
    assert sorted(r["ruleId"] for r in results) == sorted(f["rule"] for f in findings)
    assert all({"logicalLocations"} <= set(r["locations"][-1]) for r in results)
