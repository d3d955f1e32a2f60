"""``databorder audit`` as a user runs it: a folder or a databorder.yaml in, one stored run and
the report out; bad configurations and unreadable inputs; and no raw sample value in the store
or the report files."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_privacy import RawValues, leaks, raw_values  # noqa: F401 - the fixture is used

from databorder.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = Path(__file__).resolve().parents[2] / "src" / "databorder" / "samples"
RENDERER = importlib.util.find_spec("databorder.report.render") is not None

TRANSFERS = """\
schema: databorder.transfers/1
exporter: {name: Example Retail Inc., jurisdiction: US, us_person: true}
transfers:
  - name: wifi-analytics-to-skyline
    date: 2025-11-01
    counterparty:
      name: Skyline Location Analytics Pte. Ltd.
      organised_in: SG
      principal_place_of_business: SG
      controlled_from: CN
      owners: [{name: Alibaba Group Holding Limited, country: CN, percent: 100}]
    relationship: vendor
    data:
      categories: [precise_geolocation, mac_address, device_id]
      counts: {precise_geolocation: 48000}
      subjects_in: [US]
"""


def audit(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key != "DATABORDER_STORE"}
    environment.update({"COLUMNS": "1000", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([sys.executable, "-m", "databorder", "audit", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", cwd=cwd,
                          env=environment, timeout=300, check=False)


@pytest.fixture(scope="module")
def folder_audit(tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A folder of data files, an egress log and a transfers file, audited once."""
    root = tmp_path_factory.mktemp("folder-audit")
    folder = root / "inputs"
    folder.mkdir()
    for name in ("orders.csv", "wifi_analytics.jsonl"):
        shutil.copy(SAMPLES / name, folder)
    shutil.copy(FIXTURES / "traffic" / "lnav_bro_conn.log", folder)
    (folder / "transfers.yaml").write_text(TRANSFERS, encoding="utf-8")
    done = audit(folder, "--store", root / "runs.sqlite", "--out", root / "out",
                 "--format", "html", "--format", "sarif", cwd=root)
    return done, root


def test_a_folder_runs_every_stage(folder_audit: tuple[subprocess.CompletedProcess[str],
                                                       Path]) -> None:
    done, root = folder_audit
    assert done.returncode == 0, done.stderr
    assert "run 1 kept in sqlite:///" in done.stdout
    document = json.loads((root / "out" / "run.json").read_text(encoding="utf-8"))
    assert document["schema"] == "databorder.run/1"
    assert document["run"]["command"] == "audit"
    assert document["run"]["status"] == "complete"
    arguments = document["run"]["arguments"]
    assert sorted(Path(d["target"]).name for d in arguments["datasets"]) == [
        "orders.csv", "wifi_analytics.jsonl"]
    assert [Path(p).name for p in arguments["egress_logs"]] == ["lnav_bro_conn.log"]
    assert Path(arguments["transfers"]).name == "transfers.yaml"
    sources = {Path(s["source"]).name for s in document["inventory"]["sources"]}
    assert sources == {"orders.csv", "wifi_analytics.jsonl"}
    assert [Path(p).name for p in document["flows"]["logs"]] == ["lnav_bro_conn.log"]
    assert document["flows"]["groups"]
    findings = document["findings"]["findings"]
    transfers = {f["transfer"] for f in findings}
    assert "wifi-analytics-to-skyline" in transfers
    assert any(t.startswith("egress to ") for t in transfers)  # flows groups are judged too
    with Store.open(str(root / "runs.sqlite")) as store:
        assert store.run_document(1) == document
        assert store.run(1).counts.findings == len(findings)


@pytest.mark.skipif(not RENDERER, reason="the report renderer is not installed")
def test_the_reports_are_written(folder_audit: tuple[subprocess.CompletedProcess[str],
                                                     Path]) -> None:
    done, root = folder_audit
    html, sarif = root / "out" / "report.html", root / "out" / "report.sarif"
    assert f"written: {html}" in done.stdout and f"written: {sarif}" in done.stdout
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_a_configuration_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLES / "orders.csv", data)
    shutil.copy(SAMPLES / "app.sqlite", tmp_path)
    (tmp_path / "logs").mkdir()
    shutil.copy(FIXTURES / "traffic" / "lnav_bro_conn.log", tmp_path / "logs")
    (tmp_path / "databorder.yaml").write_text(f"""\
schema: databorder.audit/1
datasets:
  - data/
  - {{path: app.sqlite, tables: [users]}}
egress_logs: [logs/]
output: {{dir: report, formats: [md]}}
store: sqlite:///{tmp_path / 'team.sqlite'}
""", encoding="utf-8")
    done = audit(tmp_path / "databorder.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"run 1 kept in sqlite:///{tmp_path / 'team.sqlite'}" in done.stdout
    document = json.loads((tmp_path / "report" / "run.json").read_text(encoding="utf-8"))
    tables = {(Path(s["source"]).name, s["table"]) for s in document["inventory"]["sources"]}
    assert tables == {("orders.csv", None), ("app.sqlite", "users")}
    assert document["flows"]["totals"]["flows"] > 0
    assert document["findings"] is None or document["findings"]["schema"] == (
        "databorder.findings/1")
    if RENDERER:
        assert (tmp_path / "report" / "report.md").is_file()
    assert not (tmp_path / ".databorder").exists()


@pytest.mark.parametrize(("config", "message"), [
    ("schema: databorder.audit/1\nmystery: 1\n", "unknown key 'mystery'"),
    ("datasets: [data/]\n", "'schema' must be 'databorder.audit/1'"),
    ("schema: databorder.audit/1\ndatasets: [data/\n", ":3: not valid YAML"),
    ("schema: databorder.audit/1\ndatasets:\n  - {path: a, url: b}\n",
     "datasets[0]: give one of 'path' or 'url'"),
    ("- just\n- a list\n", "an audit configuration is a YAML mapping"),
])
def test_a_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, config: str,
                                                    message: str) -> None:
    path = tmp_path / "databorder.yaml"
    path.write_text(config, encoding="utf-8")
    done = audit(path, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}") and message in done.stderr
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / ".databorder").exists()


def test_usage_errors(tmp_path: Path) -> None:
    missing = audit(tmp_path / "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = audit(tmp_path / "empty", "--store", tmp_path / "s.sqlite", cwd=tmp_path)
    assert empty.returncode == 2 and "nothing to audit" in empty.stderr
    shutil.copy(SAMPLES / "orders.csv", tmp_path / "empty")
    if RENDERER:
        fmt = audit(tmp_path / "empty", "--store", tmp_path / "s.sqlite", "--format", "pdf",
                    cwd=tmp_path)
        assert fmt.returncode == 2 and "unknown report format 'pdf'" in fmt.stderr
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert store.runs() == []


def test_an_unreadable_input_is_exit_1_and_the_rest_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SAMPLES / "orders.csv", folder)
    parquet = (SAMPLES / "customers.parquet").read_bytes()
    (folder / "truncated.parquet").write_bytes(parquet[: len(parquet) // 2])
    done = audit(folder, "--store", tmp_path / "s.sqlite", "--out", tmp_path / "out",
                 cwd=tmp_path)
    assert done.returncode == 1
    assert re.search(r"^error: .*truncated\.parquet", done.stderr, re.MULTILINE)
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        run = store.runs()[0]
        assert run.status == "complete"
        document = store.run_document(run.id)
    assert [Path(s["source"]).name for s in document["inventory"]["sources"]] == ["orders.csv"]
    assert len(document["inventory"]["errors"]) == 1


def test_the_report_folder_inside_the_input_is_not_scanned(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "orders.csv", tmp_path)
    for _ in range(2):
        done = audit(tmp_path, "--store", tmp_path / ".runs.sqlite", "--out",
                     tmp_path / "report", "--format", "json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "report" / "run.json").read_text(encoding="utf-8"))
    assert [Path(s["source"]).name for s in document["inventory"]["sources"]] == ["orders.csv"]


@pytest.fixture(scope="module")
def sample_audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample audited into a store in the default place of a fresh folder."""
    root = tmp_path_factory.mktemp("sample-audit")
    done = audit(SAMPLES, "--format", "html", "--format", "csv", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / ".databorder" / "store.sqlite").is_file()
    return root


def _store_text(root: Path) -> str:
    """Everything in the store: its files' bytes, and every table dumped as JSON."""
    parts = []
    for path in (root / ".databorder").iterdir():
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    with sqlite3.connect(root / ".databorder" / "store.sqlite") as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            rows: list[Any] = db.execute(f'SELECT * FROM "{table}"').fetchall()
            for row in rows:
                values = [json.loads(v) if isinstance(v, str) and v[:1] in "{[" else v
                          for v in row]
                parts.append(json.dumps(values, ensure_ascii=False))
    return "\n".join(parts)


def test_no_raw_sample_value_in_the_store(sample_audit: Path,
                                          raw_values: RawValues) -> None:  # noqa: F811
    text = re.sub(r'"(started|finished)_at": "[^"]*"', "", _store_text(sample_audit))
    text = re.sub(r"\d{4}-\d\d-\d\d[ T][\d:.+]+", "", text)  # run timestamps
    assert len(text) > 50_000
    found = leaks(raw_values, text)
    assert found == [], f"{len(found)} raw values in the store, e.g. {found[:5]}"


def test_no_raw_sample_value_in_the_reports(sample_audit: Path,
                                            raw_values: RawValues) -> None:  # noqa: F811
    written = sorted((sample_audit / "databorder-report").iterdir())
    assert written
    # the HTML report (its bundled chart library matches short tokens) is checked by the
    # report's own tests; these are the data files an auditor is handed
    for path in [p for p in written if p.suffix in (".json", ".csv")]:
        text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+", "", path.read_text(encoding="utf-8"))
        found = leaks(raw_values, text)
        assert found == [], f"{len(found)} raw values in {path.name}, e.g. {found[:5]}"


def test_a_broken_transfers_file_keeps_the_scan(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SAMPLES / "orders.csv", folder)
    (folder / "vendors.transfers.yaml").write_text(
        "schema: databorder.transfers/1\ntransfers:\n  - name: x\n    mystery_key: 1\n",
        encoding="utf-8")
    done = audit(folder, "--store", tmp_path / "s.sqlite", "--out", tmp_path / "out",
                 "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert re.search(r"^error: rules not assessed: .*vendors\.transfers\.yaml", done.stderr,
                     re.MULTILINE), done.stderr
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        run = store.runs()[0]
        document = store.run_document(run.id)
    assert run.status == "complete" and run.documents == ("inventory",)
    assert document["findings"] is None and document["inventory"]["fields"]


def test_a_report_folder_that_cannot_be_written_is_exit_1_and_the_run_is_kept(
        tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SAMPLES / "orders.csv", folder)
    blocker = tmp_path / "out"
    blocker.write_text("a file where the report folder should be\n", encoding="utf-8")
    done = audit(folder, "--store", tmp_path / "s.sqlite", "--out", blocker / "report",
                 cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot write the report to {blocker}")
    assert done.stderr.count("\n") == 1
    assert blocker.read_text(encoding="utf-8").startswith("a file where")
    with Store.open(str(tmp_path / "s.sqlite")) as store:
        assert [run.status for run in store.runs()] == ["complete"]


def test_an_audit_killed_half_way_is_listed_incomplete(tmp_path: Path) -> None:
    import signal
    import time

    store = tmp_path / "s.sqlite"
    first = audit(SAMPLES / "orders.csv", "--store", store, "--format", "json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    environment = {**os.environ, "COLUMNS": "1000"}
    environment.pop("DATABORDER_STORE", None)
    running = subprocess.Popen(
        [sys.executable, "-m", "databorder", "audit", SAMPLES, "--store", store],
        cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill once its run is recorded, while it scans
            with Store.open(str(store)) as opened:
                if len(opened.runs()) == 2:
                    break
            time.sleep(0.05)
        os.kill(running.pid, signal.SIGKILL)
    finally:
        running.wait(timeout=60)
    assert running.returncode == -signal.SIGKILL
    listed = subprocess.run([sys.executable, "-m", "databorder", "runs", "--store", str(store),
                             "--json"], capture_output=True, text=True, env=environment,
                            check=True)
    runs = json.loads(listed.stdout)
    assert [r["status"] for r in runs] == ["complete", "incomplete"]
    assert "inventory" in runs[0]["documents"] and runs[1]["documents"] == []
    with Store.open(str(store)) as opened:
        assert opened.run_document(runs[0]["id"]) == json.loads(
            (tmp_path / "databorder-report" / "run.json").read_text(encoding="utf-8"))
