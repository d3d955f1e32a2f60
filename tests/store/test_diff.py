"""``diff_runs`` on real runs: a folder scanned before and after files were added to it, and
egress logs before and after traffic to a recipient controlled from a country of concern."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from databorder.attribute.entities import KnowledgeBase
from databorder.destinations import to_json as flows_json
from databorder.engine.flows import run_flows
from databorder.engine.local import ScanOptions, scan_targets
from databorder.errors import UsageError
from databorder.store import Store, diff_runs
from databorder.store.diff import THRESHOLDS_FILE, thresholds

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GEO_POINTS = 1_200
"""More than the DOJ bulk threshold for precise geolocation (more than 1,000 devices)."""


def _write_geolocations(path: Path) -> None:
    generator = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["device", "lat", "lon"])
        for index in range(GEO_POINTS):
            writer.writerow([f"d{index}", f"{generator.uniform(30, 48):.6f}",
                             f"{generator.uniform(-120, -75):.6f}"])


def _scan_run(store: Store, folder: Path) -> int:
    run_id = store.begin_run("scan", {"targets": [str(folder)]})
    inventory = scan_targets([str(folder)], ScanOptions())
    assert not inventory.errors
    store.finish_run(run_id, inventory=inventory.to_json())
    return run_id


def _flows_run(store: Store, logs: list[Path]) -> int:
    run_id = store.begin_run("flows", {"logs": [str(p) for p in logs]})
    result = run_flows([str(p) for p in logs], KnowledgeBase.bundled())
    assert not result.problems
    store.finish_run(run_id, flows=flows_json(result))
    return run_id


@pytest.fixture
def scans(tmp_path: Path, store_url: str) -> tuple[Store, int, int]:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIXTURES / "sources" / "customers.csv", folder)
    store = Store.open(store_url)
    before = _scan_run(store, folder)
    shutil.copy(FIXTURES / "sources" / "devices.parquet", folder)
    _write_geolocations(folder / "positions.csv")
    after = _scan_run(store, folder)
    return store, before, after


def test_new_categories_fields_and_a_crossed_threshold(scans: tuple[Store, int, int]) -> None:
    store, before, after = scans
    with store:
        diff = diff_runs(store, before, after)
        categories_before = {c.category for c in store.categories(before)}
        categories_after = {c.category for c in store.categories(after)}
    assert {c.category for c in diff.categories.new} == categories_after - categories_before
    assert "precise_geolocation" in categories_after - categories_before
    assert diff.categories.gone == ()
    new_fields = {(Path(f.source).name, f.field, f.category) for f in diff.fields.new}
    assert ("positions.csv", "lat,lon", "precise_geolocation") in new_fields
    assert {Path(f.source).name for f in diff.fields.new} == {"positions.csv",
                                                              "devices.parquet"}
    assert diff.fields.gone == ()
    crossed = {(c.category, c.threshold, c.direction, c.before) for c in diff.crossings}
    assert ("precise_geolocation", "doj-bulk-geolocation", "up", 0) in crossed
    geo = next(c for c in diff.crossings if c.threshold == "doj-bulk-geolocation")
    assert geo.after == GEO_POINTS and geo.exact and "202.205" in geo.source
    assert not diff.empty
    assert diff.recipients.new == diff.recipients.gone == ()


def test_the_reverse_diff_shows_them_gone(scans: tuple[Store, int, int]) -> None:
    store, before, after = scans
    with store:
        forward, backward = diff_runs(store, before, after), diff_runs(store, after, before)
    assert backward.categories.gone == forward.categories.new
    assert backward.fields.gone == forward.fields.new
    assert {(c.threshold, c.direction) for c in backward.crossings} == {
        (c.threshold, "down") for c in forward.crossings}
    assert forward.to_json()["crossings"][0]["direction"] == "up"


def test_a_run_against_itself_is_empty(scans: tuple[Store, int, int]) -> None:
    store, _, after = scans
    with store:
        diff = diff_runs(store, after, after)
    assert diff.empty and diff.counts == () and diff.crossings == ()


def test_new_recipient_in_a_country_of_concern(tmp_path: Path, store_url: str) -> None:
    conn = FIXTURES / "traffic" / "lnav_bro_conn.log"
    header = [line for line in conn.read_text(encoding="utf-8").splitlines()
              if line.startswith("#") and not line.startswith("#close")]
    columns = header[[h.split("\t")[0] for h in header].index("#fields")].split("\t")[1:]
    extra = tmp_path / "alibaba_conn.log"
    rows = []
    for index in range(5):
        values = dict.fromkeys(columns, "-")
        values.update({"ts": f"1320279600.{index:06d}", "uid": f"Cx{index}",
                       "id.orig_h": "192.168.2.76", "id.orig_p": str(50000 + index),
                       "id.resp_h": "47.88.1.1", "id.resp_p": "443", "proto": "tcp",
                       "orig_bytes": "1200", "resp_bytes": "300"})
        rows.append("\t".join(values[c] for c in columns))
    extra.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    with Store.open(store_url) as store:
        before = _flows_run(store, [conn])
        after = _flows_run(store, [conn, extra])
        diff = diff_runs(store, before, after)
    assert [(g.recipient, g.controlled_from, g.country_of_concern, g.flows)
            for g in diff.recipients.new] == [
        ("Alibaba Group Holding Limited", "CN", True, 5)]
    assert diff.recipients.gone == ()
    assert diff.jurisdictions.new == ("CN",)
    assert diff.countries_of_concern.new == ("CN",)
    assert diff.to_json()["countries_of_concern"] == {"new": ["CN"], "gone": []}


def test_findings_new_gone_and_changed(store_url: str,
                                       findings_document: dict[str, Any]) -> None:
    changed = {**findings_document, "findings": [
        {**findings_document["findings"][0], "outcome": "allowed"}]}
    with Store.open(store_url) as store:
        before = store.begin_run("audit", {})
        store.finish_run(before, findings=findings_document)
        after = store.begin_run("audit", {})
        store.finish_run(after, findings=changed)
        diff = diff_runs(store, before, after)
    assert [(o.rule, o.before, o.after) for o in diff.outcomes] == [
        ("DOJ-20", "prohibited", "allowed")]
    assert [f.rule for f in diff.findings.gone] == ["PIPL-38"]
    assert diff.findings.new == ()


def test_an_incomplete_run_cannot_be_compared(store_url: str,
                                              findings_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        done = store.begin_run("audit", {})
        store.finish_run(done, findings=findings_document)
        running = store.begin_run("audit", {})
        with pytest.raises(UsageError, match=f"run {running} is running"):
            diff_runs(store, done, running)


def test_every_threshold_is_sourced_and_dated() -> None:
    data = yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    assert data["schema"] == "databorder.diff-thresholds/1"
    for entry in data["thresholds"]:
        assert entry["source"] and entry["as_of"], entry["id"]
        assert entry["compare"] in ("gt", "ge")
    values = sorted({t.value for t in thresholds()})
    assert values == [100, 1_000, 10_000, 100_000, 1_000_000]


@pytest.mark.parametrize(("threshold", "category", "at", "met_at"), [
    ("doj-bulk-geolocation", "precise_geolocation", 1_000, False),  # "more than"
    ("doj-bulk-geolocation", "precise_geolocation", 1_001, True),
    ("cac-spi-assessment", "health", 10_000, True),  # "10,000 or more"
    ("cac-spi-assessment", "health", 9_999, False),
    ("cac-pi-contract", "email", 100_000, True),
])
def test_threshold_boundaries(threshold: str, category: str, at: int, met_at: bool) -> None:
    found = next(t for t in thresholds() if t.id == threshold)
    assert found.applies(category)
    assert found.met(at) is met_at


def test_thresholds_apply_by_catalogue() -> None:
    by_id = {t.id: t for t in thresholds()}
    assert not by_id["doj-bulk-geolocation"].applies("email")
    assert by_id["doj-bulk-identifiers"].applies("email")
    assert not by_id["cac-spi-assessment"].applies("email")  # not PIPL-sensitive
    assert by_id["cac-spi-assessment"].applies("payment_card")
