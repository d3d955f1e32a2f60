"""Every cases file of every regime pack, run through the real engine: a rule fires on its
failing examples (with the expected outcome) and stays silent on its passing ones."""

from __future__ import annotations

import pytest

from databorder.assess.engine import assess_transfer
from databorder.assess.loading import resolve_counterparty
from databorder.assess.model import SourcedTransfer, Transfer
from databorder.assess.pack import Case, RulePack, bundled_packs

CASES = [(pack, case) for pack in bundled_packs() for case in pack.cases]


def _id(item: tuple[RulePack, Case]) -> str:
    pack, case = item
    return f"{case.rule}-{'fires' if case.fires else 'silent'}-{case.transfer['name']}"


@pytest.mark.parametrize("item", CASES, ids=[_id(c) for c in CASES])
def test_case(item: tuple[RulePack, Case]) -> None:
    pack, case = item
    transfer = Transfer.model_validate(case.transfer)
    if transfer.counterparty.entity:
        party = resolve_counterparty(transfer.counterparty)
        assert party is not None, f"unknown entity {transfer.counterparty.entity}"
        transfer = transfer.model_copy(update={"counterparty": party})
    findings = assess_transfer(SourcedTransfer(transfer), pack, transfer.date or case.date)
    mine = [f for f in findings if f.rule == case.rule]
    if case.fires:
        assert mine, f"{case.rule} did not fire ({case.note}); got {[f.rule for f in findings]}"
        if case.outcome is not None:
            assert {f.outcome for f in mine} == {case.outcome}, case.note
        for finding in mine:
            if finding.outcome == "insufficient_facts":
                assert finding.questions, f"{case.rule} asks nothing ({case.note})"
            else:
                assert not finding.questions, f"{case.rule} asks while deciding"
    else:
        assert not mine, f"{case.rule} fired as {mine[0].outcome} ({case.note})"
