"""``databorder report RUN``: a stored run rendered, run as a user runs it (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from databorder.report import render
from databorder.store import Store


def _report(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key != "DATABORDER_STORE"}
    environment.update(COLUMNS="200", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "databorder", "report", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", env=environment,
                          cwd=cwd, timeout=120, check=False)


@pytest.fixture
def store(tmp_path: Path, small_document: dict[str, Any]) -> tuple[Path, list[int]]:
    """A store with two complete runs of the small document and a failed third."""
    path = tmp_path / "store.sqlite"
    ids = []
    with Store.open(str(path)) as opened:
        for _ in range(2):
            run_id = opened.begin_run("audit", {"target": "shop/"})
            opened.finish_run(run_id, inventory=small_document["inventory"],
                              flows=small_document["flows"],
                              findings=small_document["findings"])
            ids.append(run_id)
        failed = opened.begin_run("scan", {"targets": ["x"]})
        opened.finish_run(failed, status="failed")
    return path, ids


def test_report_latest_as_sarif_to_a_file(store: tuple[Path, list[int]], tmp_path: Path,
                                          small_document: dict[str, Any]) -> None:
    path, ids = store
    out = tmp_path / "out" / "report.sarif"
    done = _report("latest", "--format", "sarif", "--out", out, "--store", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"written to {out}" in done.stdout
    with Store.open(str(path)) as opened:
        document = opened.run_document(ids[-1])
    assert out.read_text(encoding="utf-8") == render(document, "sarif")
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    assert run["automationDetails"]["id"] == f"databorder/audit/{ids[-1]}"
    assert {r["ruleId"] for r in run["results"]} >= {"DSP001", "DSP010", "category/email"}


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_report_to_stdout(fmt: str, store: tuple[Path, list[int]], tmp_path: Path) -> None:
    path, ids = store
    done = _report(str(ids[0]), "--format", fmt, "--store", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with Store.open(str(path)) as opened:
        assert done.stdout == render(opened.run_document(ids[0]), fmt).replace("\r\n", "\n")
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(done.stdout)))) == 3


def test_report_default_is_html(store: tuple[Path, list[int]], tmp_path: Path) -> None:
    path, _ = store
    out = tmp_path / "r.html"
    done = _report("latest~1", "--out", out, "--store", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("args", "message"), [
    (("99",), "no run 99 in the store"),
    (("yesterday",), "'yesterday' is not a run: give an id, 'latest' or 'latest~N'"),
    (("latest", "--format", "pdf"), "unknown report format 'pdf'; choose one of html"),
])
def test_bad_requests_fail_with_one_line_and_write_nothing(
        args: tuple[str, ...], message: str, store: tuple[Path, list[int]],
        tmp_path: Path) -> None:
    path, _ = store
    out = tmp_path / "report.out"
    out.write_text("an earlier report", encoding="utf-8")
    done = _report(*args, "--out", out, "--store", path, cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert out.read_text(encoding="utf-8") == "an earlier report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.out")] == []


def test_without_a_store_it_says_how_to_name_one(tmp_path: Path) -> None:
    done = _report("latest", cwd=tmp_path)
    assert done.returncode != 0
    assert "no store here: name one with --store URL or $DATABORDER_STORE" in done.stderr
    assert not (tmp_path / ".databorder").exists()


def test_html_is_not_poured_into_a_terminal(store: tuple[Path, list[int]],
                                            tmp_path: Path) -> None:
    path, _ = store
    leader, follower = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "databorder", "report", "latest",
                               "--store", str(path)], stdout=follower, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, timeout=120, check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert "write it with --out FILE" in done.stderr
