"""Facts merged from a real scan inventory, a real flows result and a transfer file; the
bundled what-if sample judged end to end."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import databorder
from databorder.assess import assess, load_facts

Run = Callable[..., subprocess.CompletedProcess[str]]
SAMPLES = Path(databorder.__file__).resolve().parent / "samples"
HEADER = ("schema: databorder.transfers/1\n"
          "exporter: {us_person: true, eu_controller: false, cn_handler: false}\n")


def _conn_log(path: Path, rows: list[tuple[str, str, int]]) -> None:
    header = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
              "#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"
              "\torig_bytes\tresp_bytes\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum"
              "\tcount\tcount\n")
    body = "".join(f"{1700000000 + i}.000000\tC{i}\t{src}\t{50000 + i}\t{dst}\t443\ttcp"
                   f"\t{out}\t100\n" for i, (src, dst, out) in enumerate(rows))
    path.write_text(header + body, encoding="utf-8")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, run_databorder: Run) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("merge")
    inventory = folder / "inventory.json"
    done = run_databorder("scan", "--no-progress", SAMPLES / "wifi_analytics.jsonl",
                          "--json", inventory)
    assert done.returncode == 0, done.stderr
    log = folder / "conn.log"
    _conn_log(log, [("10.0.0.5", "47.88.1.1", 5_000), ("10.0.0.6", "8.8.8.8", 300)])
    flows = folder / "flows.json"
    done = run_databorder("flows", "--no-progress", log, "--json", flows)
    assert done.returncode == 0, done.stderr
    return inventory, flows


def test_flows_recipients_become_transfers_with_the_inventory(scanned: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    inventory, flows = scanned
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(HEADER, encoding="utf-8")
    facts = load_facts(inventory, flows, transfers)
    names = {s.transfer.name: s for s in facts.transfers}
    alibaba = names["egress to Alibaba Group Holding Limited"]
    assert alibaba.transfer.counterparty.principal_place_of_business == "CN"
    assert alibaba.transfer.exporter.us_person is True
    assert {e.kind for e in alibaba.evidence} == {"destination", "inventory"}
    data = alibaba.transfer.data
    assert "precise_geolocation" in (data.categories or ())
    assert data.counts["precise_geolocation"] == json.loads(
        inventory.read_text())["categories"]["precise_geolocation"]["distinct"]
    assert any({"mac_address", "precise_geolocation"} <= set(g) for g in data.linked or ())
    findings = [f for f in assess(facts, date(2025, 11, 1))
                if f.transfer == alibaba.transfer.name]
    doj = [f for f in findings if f.regime == "US-DOJ-DSP"]
    assert [f.outcome for f in doj] == ["insufficient_facts"]
    assert any("relationship" in q for q in doj[0].questions)
    google = [f for f in assess(facts, date(2025, 11, 1)) if "Alphabet" in f.transfer]
    assert google == [], "a U.S. recipient of a U.S. exporter raises nothing"


def test_a_file_transfer_to_the_same_parent_takes_the_flow_evidence(
        scanned: tuple[Path, Path], tmp_path: Path) -> None:
    inventory, flows = scanned
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(
        HEADER + "transfers:\n"
        "  - name: analytics\n    counterparty: {entity: alibaba-cloud, owners: []}\n"
        "    relationship: vendor\n    data: {from_inventory: true}\n"
        "    safeguards: {cisa_security_requirements: true}\n", encoding="utf-8")
    facts = load_facts(inventory, flows, transfers)
    assert [s.transfer.name for s in facts.transfers if "Alibaba" in s.transfer.name] == []
    analytics = next(s for s in facts.transfers if s.transfer.name == "analytics")
    assert {e.kind for e in analytics.evidence} == {"transfer", "destination", "inventory"}
    found = {f.rule: f.outcome for f in assess(facts, date(2025, 11, 1))
             if f.transfer == "analytics"}
    # 1,795 distinct MAC/BSSIDs linked to 400 devices of locations: combined data is judged at
    # the lowest threshold (more than 1,000) with the largest count of the group
    assert found == {"DSP201": "restricted"}


def test_from_inventory_without_an_inventory_is_an_error(tmp_path: Path) -> None:
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(
        "schema: databorder.transfers/1\ntransfers:\n  - name: a\n"
        "    data: {from_inventory: true}\n", encoding="utf-8")
    with pytest.raises(databorder.errors.FactsError, match=r"transfers.yaml:4 .*from_inventory"):
        load_facts(None, None, transfers)


def test_bad_inventory_and_flows_files_are_usage_errors(run_databorder: Run,
                                                        tmp_path: Path) -> None:
    bad = tmp_path / "inventory.json"
    bad.write_text('{"schema": "databorder.flows/1"}', encoding="utf-8")
    done = run_databorder("assess", "--inventory", bad)
    assert done.returncode == 2 and "expected a databorder.inventory/1 document" in done.stderr
    truncated = tmp_path / "flows.json"
    truncated.write_text('{"schema": "databorder.flows/1", "groups": [', encoding="utf-8")
    done = run_databorder("assess", "--flows", truncated)
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_norway_stays_a_country_code(tmp_path: Path) -> None:
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(
        "schema: databorder.transfers/1\ntransfers:\n  - name: oslo\n"
        "    counterparty: {organised_in: NO, principal_place_of_business: NO}\n",
        encoding="utf-8")
    facts = load_facts(None, None, transfers)
    assert facts.transfers[0].transfer.counterparty.organised_in == "NO"


def test_the_bundled_what_if(run_databorder: Run, tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    done = run_databorder("assess", "--transfers", SAMPLES / "transfers.yaml", "--json", out)
    assert done.returncode == 0, done.stderr
    found = {(f["transfer"], f["rule"], f["outcome"])
             for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert found == {
        ("wifi-analytics-to-skyline", "DSP201", "restricted"),
        ("wifi-analytics-to-skyline", "DSP202", "prohibited"),
        ("audience-segments-to-shenzhen-buyer", "DSP101", "prohibited"),
        ("audience-segments-to-shenzhen-buyer", "PADFA001", "prohibited"),
        ("eu-loyalty-to-us-cloud", "GDPR045", "allowed"),
        ("cn-members-to-us-hq", "PIPL040", "contract_or_certification_required"),
    }
