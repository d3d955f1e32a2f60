"""Boundaries stated by the law, tested one by one through the real packs and engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from databorder.assess.engine import Finding, assess, assess_transfer
from databorder.assess.model import Facts, SourcedTransfer, Transfer
from databorder.assess.pack import RulePack, bundled_packs


def _pack(regime: str) -> RulePack:
    return next(p for p in bundled_packs() if p.regime.id == regime)


def _judge(regime: str, on: date, **transfer: Any) -> list[Finding]:
    model = Transfer.model_validate({"name": "t", **transfer})
    return assess_transfer(SourcedTransfer(model), _pack(regime), on)


def _rules(findings: list[Finding]) -> dict[str, str]:
    return {f.rule: f.outcome for f in findings}


CN_VENDOR = {"exporter": {"us_person": True}, "relationship": "vendor",
             "counterparty": {"organised_in": "CN", "principal_place_of_business": "CN",
                              "owners": []},
             "safeguards": {"cisa_security_requirements": True}}
NOT_GOV = {"government_location": False, "marketed_government_related": False}


@pytest.mark.parametrize(("devices", "bulk"), [(1000, False), (1001, True)])
def test_doj_geolocation_is_bulk_above_1000_devices(devices: int, bulk: bool) -> None:
    found = _rules(_judge("US-DOJ-DSP", date(2025, 11, 1), **CN_VENDOR, data={
        "categories": ["precise_geolocation"], "us_devices": devices, **NOT_GOV}))
    assert found == ({"DSP201": "restricted"} if bulk else {"DSP401": "allowed"})


@pytest.mark.parametrize(("on", "applies"), [(date(2025, 4, 7), False), (date(2025, 4, 8), True)])
def test_doj_rule_applies_from_8_april_2025(on: date, applies: bool) -> None:
    found = _rules(_judge("US-DOJ-DSP", on, **CN_VENDOR, data={
        "categories": ["precise_geolocation"], "us_devices": 5000}))
    assert ("DSP201" in found) is applies
    if not applies:
        assert found == {}


def test_transfer_date_wins_over_the_assessment_date() -> None:
    early = Transfer.model_validate({"name": "early", "date": date(2025, 4, 7), **CN_VENDOR,
                                     "data": {"categories": ["precise_geolocation"],
                                              "us_devices": 5000}})
    late = early.model_copy(update={"name": "late", "date": None})
    facts = Facts((SourcedTransfer(early), SourcedTransfer(late)))
    found = assess(facts, date(2026, 1, 1), [_pack("US-DOJ-DSP")])
    assert {(f.transfer, f.rule) for f in found} == {("late", "DSP201")}


def test_doj_standalone_mac_list_is_not_covered_but_mac_with_address_is() -> None:
    alone = _rules(_judge("US-DOJ-DSP", date(2025, 11, 1), **CN_VENDOR, data={
        "categories": ["mac_address"], "us_devices": 500_000, **NOT_GOV}))
    assert alone == {"DSP401": "allowed"}
    linked = _rules(_judge("US-DOJ-DSP", date(2025, 11, 1), **CN_VENDOR, data={
        "categories": ["mac_address", "street_address"], "us_devices": 500_000,
        "us_persons": 500_000, **NOT_GOV}))
    assert linked == {"DSP201": "restricted"}


def test_doj_separate_files_without_a_key_are_not_linked() -> None:
    found = _rules(_judge("US-DOJ-DSP", date(2025, 11, 1), **CN_VENDOR, data={
        "categories": ["mac_address", "street_address"], "linked": [["mac_address"],
                                                                      ["street_address"]],
        "us_devices": 500_000, "us_persons": 500_000, **NOT_GOV}))
    assert found == {"DSP401": "allowed"}


def test_doj_count_window_bounds() -> None:
    """A count started 18 months ago is an upper bound: over the threshold it cannot decide,
    under it still shows the data is not bulk; one started 3 months ago is a lower bound."""
    on = date(2025, 11, 1)

    def judge(count: int, since: date) -> dict[str, str]:
        return _rules(_judge("US-DOJ-DSP", on, **CN_VENDOR, data={
            "categories": ["precise_geolocation"], "us_devices": count, "counted_since": since,
            **NOT_GOV}))

    assert judge(5000, date(2024, 5, 1)) == {"DSP201": "insufficient_facts"}
    assert judge(900, date(2024, 5, 1)) == {"DSP401": "allowed"}
    assert judge(5000, date(2025, 8, 1)) == {"DSP201": "restricted"}
    assert judge(900, date(2025, 8, 1)) == {"DSP201": "insufficient_facts"}
    assert judge(5000, date(2024, 11, 1)) == {"DSP201": "restricted"}


CN_EXPORT = {"exporter": {"cn_handler": True, "cn_ciio": False},
             "counterparty": {"organised_in": "US", "principal_place_of_business": "US"}}


@pytest.mark.parametrize(("persons", "rule", "outcome"), [
    (99_999, "PIPL050", "exempt"),
    (100_000, "PIPL040", "contract_or_certification_required"),
    (999_999, "PIPL040", "contract_or_certification_required"),
    (1_000_000, "PIPL030", "security_assessment_required"),
])
def test_cac_bands_for_personal_information(persons: int, rule: str, outcome: str) -> None:
    found = _rules(_judge("CN-PIPL", date(2025, 6, 1), **CN_EXPORT, data={
        "categories": ["email", "phone"], "persons": persons, "important_data": False}))
    assert found == {rule: outcome}


@pytest.mark.parametrize(("persons", "rule", "outcome"), [
    (1, "PIPL040", "contract_or_certification_required"),
    (9_999, "PIPL040", "contract_or_certification_required"),
    (10_000, "PIPL030", "security_assessment_required"),
])
def test_cac_bands_for_sensitive_information_have_no_de_minimis(persons: int, rule: str,
                                                                outcome: str) -> None:
    found = _rules(_judge("CN-PIPL", date(2025, 6, 1), **CN_EXPORT, data={
        "categories": ["precise_geolocation"], "persons": persons, "important_data": False}))
    assert found == {rule: outcome}


@pytest.mark.parametrize(("on", "rule"), [(date(2024, 3, 21), "PIPL038"),
                                          (date(2024, 3, 22), "PIPL040")])
def test_cac_provisions_apply_from_22_march_2024(on: date, rule: str) -> None:
    found = _rules(_judge("CN-PIPL", on, **CN_EXPORT, data={
        "categories": ["email"], "persons": 200_000, "important_data": False}))
    assert found == {rule: "contract_or_certification_required"}


def test_the_cac_count_runs_from_1_january() -> None:
    """A count started on 1 January is exact; one started in the previous year is only an upper
    bound, so 150,000 cannot show the contract band is reached this year."""
    def judge(since: date) -> dict[str, str]:
        return _rules(_judge("CN-PIPL", date(2025, 6, 1), **CN_EXPORT, data={
            "categories": ["email"], "persons": 150_000, "counted_since": since,
            "important_data": False}))

    assert judge(date(2025, 1, 1)) == {"PIPL040": "contract_or_certification_required"}
    assert judge(date(2024, 1, 1)) == {"PIPL040": "insufficient_facts"}


@pytest.mark.parametrize(("regime", "country", "prohibited"), [
    ("US-DOJ-DSP", "CU", True), ("US-PADFA", "CU", False),
    ("US-DOJ-DSP", "VE", True), ("US-PADFA", "VE", False),
    ("US-DOJ-DSP", "RU", True), ("US-PADFA", "RU", True),
])
def test_country_lists_differ_by_regime(regime: str, country: str, prohibited: bool) -> None:
    found = _rules(_judge(regime, date(2025, 11, 1), exporter={"us_person": True},
                          relationship="data_brokerage",
                          counterparty={"organised_in": country,
                                        "principal_place_of_business": country, "owners": []},
                          data={"categories": ["precise_geolocation"], "us_devices": 5000,
                                "collected_directly": False}))
    assert ("prohibited" in found.values()) is prohibited
