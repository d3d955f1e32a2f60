"""The packs stay reviewable: every rule has a citation, a failing and a passing case, and a
docs page that is current; every figure carries its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from databorder.assess.pack import Rule, RulePack, all_rules, bundled_packs
from databorder.assess.regime_docs import render, render_index
from databorder.categories import CATEGORIES

DOCS = Path(__file__).resolve().parents[2] / "docs"
RULES = all_rules()


def _rule_id(item: tuple[RulePack, Rule]) -> str:
    return item[1].code


@pytest.mark.parametrize("item", RULES, ids=[_rule_id(r) for r in RULES])
def test_rule_has_citation_cases_and_docs(item: tuple[RulePack, Rule]) -> None:
    pack, rule = item
    assert rule.citations, f"{rule.code} has no citation"
    for citation in rule.citations:
        assert citation.url.startswith("http") and citation.section and citation.instrument
    cases = [c for c in pack.cases if c.rule == rule.code]
    assert any(c.fires for c in cases), f"{rule.code} has no failing (fires: true) case"
    assert any(not c.fires for c in cases), f"{rule.code} has no passing (fires: false) case"
    page = DOCS / "regimes" / f"{pack.folder}.md"
    assert page.exists(), f"docs/regimes/{pack.folder}.md is missing"
    assert f"### {rule.code} `{rule.name}`" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("pack", bundled_packs(), ids=lambda p: p.folder)
def test_regime_docs_are_current(pack: RulePack) -> None:
    page = DOCS / "regimes" / f"{pack.folder}.md"
    assert page.read_text(encoding="utf-8") == render(pack), (
        f"docs/regimes/{pack.folder}.md is stale: run scripts/regime_docs.py")


def test_regime_index_is_current() -> None:
    page = DOCS / "regimes" / "README.md"
    assert page.read_text(encoding="utf-8") == render_index(bundled_packs()), (
        "docs/regimes/README.md is stale: run scripts/regime_docs.py")


def test_codes_and_names_are_unique_across_regimes() -> None:
    codes = [rule.code for _, rule in RULES]
    names = [rule.name for _, rule in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("pack", bundled_packs(), ids=lambda p: p.folder)
def test_every_figure_has_a_source(pack: RulePack) -> None:
    regime = pack.regime
    sourced = [*regime.constants.values(), regime.category_map, regime.countries, regime.home,
               regime.thresholds, regime.linking, regime.adequacy]
    for item in sourced:
        if item is not None:
            assert item.source.strip() and item.as_of


BULK_PACKS = [p for p in bundled_packs() if p.regime.thresholds and p.regime.thresholds.more_than]


@pytest.mark.parametrize("pack", BULK_PACKS, ids=lambda p: p.folder)
def test_thresholds_cover_every_mapped_category(pack: RulePack) -> None:
    thresholds = pack.regime.thresholds
    assert thresholds is not None
    mapped = {k for ks in pack.regime.category_map.map.values() for k in ks}
    linking = pack.regime.linking
    if linking is not None:
        mapped.add(linking.yields)
    assert mapped <= set(thresholds.more_than)


def test_every_scanned_category_is_known_to_some_pack() -> None:
    known: set[str] = set()
    for pack in bundled_packs():
        known |= set(pack.regime.category_map.map)
        if pack.regime.linking:
            known |= set(pack.regime.linking.listed_identifiers)
    unmapped = set(CATEGORIES) - known - {"wifi_ssid"}  # a network name, not a person's
    assert not unmapped, f"categories no regime knows: {sorted(unmapped)}"


def _copy_pack(tmp_path: Path, edit_rule: str | None = None, rule_text: str = "") -> Path:
    import shutil

    from databorder.assess.pack import bundled_packs as packs

    source = Path(__file__).resolve().parents[2] / "src" / "databorder" / "knowledge" / \
        "regimes" / packs()[0].folder
    target = tmp_path / "pack"
    shutil.copytree(source, target)
    if edit_rule is not None:
        (target / "rules" / f"{edit_rule}.yaml").write_text(rule_text, encoding="utf-8")
    return target


def test_a_broken_pack_names_file_and_rule(tmp_path: Path) -> None:
    from databorder.assess.derive import FACT_QUESTIONS
    from databorder.assess.pack import load_pack
    from databorder.errors import RulePackError

    facts = frozenset(FACT_QUESTIONS)
    good = _copy_pack(tmp_path / "good")
    assert load_pack(good, facts).rules
    original = (good / "rules" / "DSP101.yaml").read_text(encoding="utf-8")
    unknown_fact = _copy_pack(tmp_path / "fact", "DSP101",
                              original.replace("fact: relationship", "fact: relation"))
    with pytest.raises(RulePackError, match=r"DSP101.trigger.all\[0\]: unknown fact 'relation'"):
        load_pack(unknown_fact, facts)
    no_citation = _copy_pack(tmp_path / "cite", "DSP101",
                             original[:original.index("citations:")] + "citations: []\n")
    with pytest.raises(RulePackError, match=r"rules/DSP101.yaml: field 'citations'"):
        load_pack(no_citation, facts)
