"""``databorder runs`` and ``databorder diff`` as a user runs them, and runs of ``scan``,
``flows`` and ``assess`` kept in the store (``--store``, ``$DATABORDER_STORE``, else
``.databorder/store.sqlite`` of the working directory; ``--no-store`` keeps a run out)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from databorder.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def databorder(*args: str | Path, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key != "DATABORDER_STORE"}
    environment.update({"COLUMNS": "1000", "PYTHONIOENCODING": "utf-8", **(env or {})})
    return subprocess.run([sys.executable, "-m", "databorder", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", cwd=cwd,
                          env=environment, timeout=120, check=False)


@pytest.fixture(scope="module")
def two_scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store with two scans of one folder, before and after a file was added."""
    root = tmp_path_factory.mktemp("two-scans")
    folder, store = root / "data", root / "runs.sqlite"
    folder.mkdir()
    shutil.copy(FIXTURES / "sources" / "customers.csv", folder)
    first = databorder("scan", "--no-progress", folder, "--store", store)
    shutil.copy(FIXTURES / "sources" / "devices.parquet", folder)
    second = databorder("scan", "--no-progress", folder, "--store", store)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "run 1 kept in sqlite:///" in first.stdout
    assert "run 2 kept in sqlite:///" in second.stdout
    return root, store


def test_runs_lists_the_kept_runs(two_scans: tuple[Path, Path]) -> None:
    _, store = two_scans
    done = databorder("runs", "--store", store)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if "│ scan" in line]
    assert len(lines) == 2 and all("complete" in line for line in lines)
    listed = json.loads(databorder("runs", "--store", store, "--json").stdout)
    assert [(r["id"], r["command"], r["status"]) for r in listed] == [
        (1, "scan", "complete"), (2, "scan", "complete")]
    assert listed[1]["counts"]["fields"] > listed[0]["counts"]["fields"] > 0
    assert listed[0]["documents"] == ["inventory"]


def test_diff_of_two_scans(two_scans: tuple[Path, Path]) -> None:
    root, store = two_scans
    out = root / "diff.json"
    done = databorder("diff", "latest~1", "latest", "--store", store, "--json", out)
    assert done.returncode == 0, done.stderr
    assert "run 2 (scan" in done.stdout and "against run 1 (scan" in done.stdout
    assert "+ fields:" in done.stdout and "devices.parquet" in done.stdout
    differences = json.loads(out.read_text(encoding="utf-8"))
    assert differences["schema"] == "databorder.diff/1"
    assert (differences["a"]["id"], differences["b"]["id"]) == (1, 2)
    assert {f["source"].rsplit("/", 1)[-1] for f in differences["fields"]["new"]} == {
        "devices.parquet"}
    assert differences["fields"]["gone"] == []
    assert databorder("diff", "1", "2", "--store", store).stdout == done.stdout.replace(
        f"differences written to {out}\n", "")


@pytest.mark.parametrize(("reference", "message"), [
    ("99", "error: no run 99 in the store at sqlite:///"),
    ("latest~5", "error: no run latest~5 in the store"),
    ("last-week", "error: 'last-week' is not a run: give an id, 'latest' or 'latest~N'"),
])
def test_diff_refuses_unknown_runs(two_scans: tuple[Path, Path], reference: str,
                                   message: str) -> None:
    _, store = two_scans
    done = databorder("diff", "1", reference, "--store", store)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1


def test_no_store_keeps_a_run_out(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "sources" / "customers.csv", tmp_path)
    scanned = databorder("scan", "--no-progress", "--no-store", "customers.csv", cwd=tmp_path)
    listed = databorder("runs", cwd=tmp_path)
    assert scanned.returncode == listed.returncode == 0
    assert "kept in" not in scanned.stdout
    assert "no runs: there is no store here" in listed.stdout
    assert not (tmp_path / ".databorder").exists()
    assert databorder("diff", "1", "2", cwd=tmp_path).returncode == 2


def test_every_run_is_kept_in_the_working_directory_by_default(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "sources" / "customers.csv", tmp_path)
    transfers = Path(__file__).resolve().parents[2] / "src" / "databorder" / "samples" / (
        "transfers.yaml")
    scanned = databorder("scan", "--no-progress", "customers.csv", cwd=tmp_path)
    assessed = databorder("assess", "--transfers", transfers, cwd=tmp_path)
    assert scanned.returncode == assessed.returncode == 0, scanned.stderr + assessed.stderr
    assert "run 1 kept in sqlite:///" in scanned.stdout
    assert "run 2 kept in sqlite:///" in assessed.stdout
    with Store.open(str(tmp_path / ".databorder" / "store.sqlite")) as store:
        runs = store.runs()
        assert [(r.command, r.status, r.documents) for r in runs] == [
            ("scan", "complete", ("inventory",)), ("assess", "complete", ("findings",))]
        findings = store.run_document(runs[1].id)["findings"]["findings"]
        assert {f["rule"] for f in findings} >= {"DSP101", "PADFA001"}


def test_an_existing_default_store_keeps_scan_and_flows_runs(tmp_path: Path) -> None:
    Store.open(str(tmp_path / ".databorder" / "store.sqlite")).close()
    shutil.copy(FIXTURES / "sources" / "customers.csv", tmp_path)
    scanned = databorder("scan", "--no-progress", "customers.csv", cwd=tmp_path)
    logged = databorder("flows", "--no-progress", FIXTURES / "traffic" / "lnav_bro_conn.log",
                        cwd=tmp_path)
    assert scanned.returncode == logged.returncode == 0, scanned.stderr + logged.stderr
    with Store.open(str(tmp_path / ".databorder" / "store.sqlite")) as store:
        runs = store.runs()
        assert [(r.command, r.status, r.documents) for r in runs] == [
            ("scan", "complete", ("inventory",)), ("flows", "complete", ("flows",))]
        assert store.run_document(runs[1].id)["flows"]["groups"]


def test_the_store_from_the_environment(tmp_path: Path) -> None:
    store = tmp_path / "env.sqlite"
    done = databorder("flows", "--no-progress", FIXTURES / "traffic" / "lnav_bro_conn.log",
                      env={"DATABORDER_STORE": str(store)})
    assert done.returncode == 0, done.stderr
    assert f"run 1 kept in sqlite:///{store}" in done.stdout


def test_a_broken_store_is_one_line_and_exit_1(tmp_path: Path) -> None:
    store = tmp_path / "broken.sqlite"
    store.write_bytes(b"\x00garbage, not a database" * 200)
    for args in (("runs",), ("scan", "--no-progress", FIXTURES / "sources" / "customers.csv")):
        done = databorder(*args, "--store", store)
        assert done.returncode == 1
        assert done.stderr.startswith(f"error: cannot open the store at sqlite:///{store}: ")
        assert done.stderr.count("\n") == 1
    assert store.read_bytes().startswith(b"\x00garbage")


def test_a_command_that_stops_early_leaves_its_run_failed(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    done = databorder("flows", "--no-progress", FIXTURES / "traffic" / "lnav_bro_conn.log",
                      "--knowledge", tmp_path / "missing.yaml", "--store", store)
    assert done.returncode == 1 and "missing.yaml" in done.stderr
    listed = json.loads(databorder("runs", "--store", store, "--json").stdout)
    assert [(r["command"], r["status"], r["documents"]) for r in listed] == [
        ("flows", "failed", [])]
