"""``databorder assess`` and ``databorder rules`` end to end, through a subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import databorder

Run = Callable[..., subprocess.CompletedProcess[str]]
SAMPLES = Path(databorder.__file__).resolve().parent / "samples"

WHAT_IF = """\
schema: databorder.transfers/1
exporter: {name: Example Retail Inc., jurisdiction: US, us_person: true}
transfers:
  - name: wifi-to-vendor
    counterparty:
      name: Skyline Analytics
      organised_in: SG
      principal_place_of_business: SG
      owners: [{name: Parent, country: CN, percent: 100}]
    relationship: vendor
    data: {categories: [precise_geolocation, mac_address], us_devices: 25000}
    safeguards: {cisa_security_requirements: false}
"""


def test_what_if_prints_and_writes_findings(run_databorder: Run, tmp_path: Path) -> None:
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(WHAT_IF, encoding="utf-8")
    out = tmp_path / "findings.json"
    done = run_databorder("assess", "--transfers", transfers, "--on", "2025-11-01",
                          "--json", out)
    assert done.returncode == 0, done.stderr
    assert "DSP202" in done.stdout and "prohibited" in done.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["schema"] == "databorder.findings/1"
    assert document["as_of"] == "2025-11-01"
    assert document["tool"]["name"] == "databorder" and document["started_at"]
    doj = [f for f in document["findings"] if f["regime"] == "US-DOJ-DSP"]
    assert {f["rule"] for f in doj} == {"DSP201", "DSP202"}
    finding = next(f for f in doj if f["rule"] == "DSP202")
    assert finding["outcome"] == "prohibited" and finding["severity"] == "critical"
    assert finding["transfer"] == "wifi-to-vendor"
    assert finding["counterparty"] == "Skyline Analytics"
    assert finding["categories"] == ["precise_geolocation", "mac_address"]
    assert {"kind", "ref", "detail"} == set(finding["evidence"][0])
    assert all({"instrument", "section", "url", "read"} <= set(c) for c in finding["citations"])
    restricted = next(f for f in doj if f["rule"] == "DSP201")
    deadlines = {a["citation"]: a["deadline"] for a in restricted["actions"]}
    assert deadlines["28 CFR 202.1101"] == "10 years after the transaction"


def test_duties_from_6_october_2025_are_left_out_before(run_databorder: Run,
                                                         tmp_path: Path) -> None:
    transfers = tmp_path / "transfers.yaml"
    transfers.write_text(WHAT_IF.replace("cisa_security_requirements: false",
                                         "cisa_security_requirements: true"), encoding="utf-8")
    citations = {}
    for day in ("2025-10-05", "2025-10-06"):
        out = tmp_path / f"{day}.json"
        done = run_databorder("assess", "--transfers", transfers, "--on", day, "--json", out)
        assert done.returncode == 0, done.stderr
        finding = next(f for f in json.loads(out.read_text())["findings"]
                       if f["rule"] == "DSP201")
        citations[day] = {a["citation"] for a in finding["actions"]}
    assert "28 CFR 202.1002" not in citations["2025-10-05"]
    assert "28 CFR 202.1002" in citations["2025-10-06"]


def test_no_facts_is_a_usage_error(run_databorder: Run) -> None:
    done = run_databorder("assess")
    assert done.returncode == 2
    assert "no facts given" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_malformed_yaml_names_file_and_line(run_databorder: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(WHAT_IF.replace("    relationship: vendor\n", "    relationship: [vendor\n"),
                   encoding="utf-8")
    done = run_databorder("assess", "--transfers", bad)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert line.startswith(f"error: {bad}:") and "YAML" in line
    assert len(done.stderr.strip().splitlines()) == 1


def test_wrong_field_names_line_and_field(run_databorder: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(WHAT_IF.replace("relationship: vendor", "relationship: supplier"),
                   encoding="utf-8")
    done = run_databorder("assess", "--transfers", bad)
    assert done.returncode == 2
    assert f"{bad}:10 field 'transfers.0.relationship'" in done.stderr


def test_unknown_key_and_unknown_category(run_databorder: Run, tmp_path: Path) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(WHAT_IF.replace("    relationship: vendor\n",
                                    "    relationship: vendor\n    relationshop: vendor\n"),
                    encoding="utf-8")
    done = run_databorder("assess", "--transfers", typo)
    assert done.returncode == 2
    assert f"{typo}:11 field 'transfers.0.relationshop': unknown field" in done.stderr
    category = tmp_path / "category.yaml"
    category.write_text(WHAT_IF.replace("mac_address]", "shoe_size]"), encoding="utf-8")
    done = run_databorder("assess", "--transfers", category)
    assert done.returncode == 2
    assert "unknown category 'shoe_size'" in done.stderr and f"{category}:11" in done.stderr


def test_wrong_schema_and_not_a_mapping(run_databorder: Run, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(WHAT_IF.replace("databorder.transfers/1", "databorder.transfers/9"),
                     encoding="utf-8")
    done = run_databorder("assess", "--transfers", wrong)
    assert done.returncode == 2 and "schema must be databorder.transfers/1" in done.stderr
    listing = tmp_path / "list.yaml"
    listing.write_text("- just\n- a list\n", encoding="utf-8")
    done = run_databorder("assess", "--transfers", listing)
    assert done.returncode == 2 and str(listing) in done.stderr


def test_unknown_entity_and_missing_file(run_databorder: Run, tmp_path: Path) -> None:
    entity = tmp_path / "entity.yaml"
    entity.write_text(WHAT_IF.replace("      name: Skyline Analytics\n",
                                      "      entity: no-such-entity\n"), encoding="utf-8")
    done = run_databorder("assess", "--transfers", entity)
    assert done.returncode == 2 and "unknown knowledge-base entity" in done.stderr
    done = run_databorder("assess", "--transfers", tmp_path / "absent.yaml")
    assert done.returncode == 2 and "absent.yaml" in done.stderr


def test_existing_json_is_not_clobbered_on_bad_input(run_databorder: Run,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    out.write_text('{"keep": true}', encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: [", encoding="utf-8")
    done = run_databorder("assess", "--transfers", bad, "--json", out)
    assert done.returncode == 2
    assert json.loads(out.read_text(encoding="utf-8")) == {"keep": True}


def test_rules_list_and_show(run_databorder: Run) -> None:
    listed = run_databorder("rules", "list", "--regime", "US-DOJ-DSP")
    assert listed.returncode == 0, listed.stderr
    assert "DSP101" in listed.stdout and "28 CFR Part 202" in listed.stdout
    shown = run_databorder("rules", "show", "DSP101")
    assert shown.returncode == 0, shown.stderr
    assert "doj.prohibited.data_brokerage" in shown.stdout
    assert "citation: 28 CFR Part 202 202.301" in shown.stdout
    assert "within 14 days" in shown.stdout
    assert "fact: relationship" in shown.stdout and "ref: covered_person" in shown.stdout
    assert run_databorder("rules", "show", "NOPE001").returncode == 2
    assert run_databorder("rules", "list", "--regime", "XX").returncode == 2


def test_alias_bomb_is_refused_quickly(run_databorder: Run, tmp_path: Path) -> None:
    lines = ["schema: databorder.transfers/1", "x0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["transfers:", "  - name: bomb", "    data: {linked: *a8}"]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_databorder("assess", "--transfers", bomb, timeout=30)
    assert done.returncode == 2
    assert str(bomb) in done.stderr and len(done.stderr.strip().splitlines()) == 1
