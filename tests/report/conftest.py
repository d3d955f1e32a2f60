"""Run documents for the report tests, and the browser fixtures (see ``tests/browser.py``).

``sample_document``: a real run: ``databorder scan`` of the bundled samples and ``databorder
flows`` of the real Zeek logs in ``tests/fixtures/traffic``, run as a user runs them, with the
findings of ``fixtures/findings.json`` (hand-written in the ``databorder.findings/1`` shape);
``assessed_document``: the same with the findings of a real ``databorder assess``.
``small_document``: ``fixtures/small-run.json``, a fixed document with hostile names, a country
of concern and an incomplete run, for snapshots and escaping.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import databorder

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRAFFIC = Path(__file__).resolve().parents[1] / "fixtures" / "traffic"
SAMPLES = Path(databorder.__file__).resolve().parent / "samples"


def _run(*args: str | Path) -> None:
    environment = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "databorder", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", env=environment,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def load_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def _sample_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("report-run")
    _run("scan", "--no-progress", SAMPLES, "--json", out / "inventory.json")
    _run("flows", "--no-progress", TRAFFIC / "lnav_bro_conn.log", TRAFFIC / "lnav_bro_http.log",
         "--json", out / "flows.json")
    _run("assess", "--inventory", out / "inventory.json", "--flows", out / "flows.json",
         "--transfers", FIXTURES / "transfers.yaml", "--on", "2026-11-30",
         "--json", out / "assessed.json")
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    return {
        "schema": "databorder.run/1",
        "run": {"id": 1, "command": "audit", "arguments": {"target": str(SAMPLES)},
                "status": "complete", "started_at": inventory["started_at"],
                "finished_at": inventory["finished_at"], "tool_version": databorder.__version__},
        "inventory": inventory,
        "flows": json.loads((out / "flows.json").read_text(encoding="utf-8")),
        "findings": load_fixture("findings.json"),
        "assessed": json.loads((out / "assessed.json").read_text(encoding="utf-8")),
    }


@pytest.fixture
def sample_document(_sample_document: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy per test, so a test may change it (findings: fixtures/findings.json)."""
    document = copy.deepcopy(_sample_document)
    del document["assessed"]
    return document


@pytest.fixture
def assessed_document(_sample_document: dict[str, Any]) -> dict[str, Any]:
    """The sample run with the findings of a real ``databorder assess`` of it and the transfer
    file of ``fixtures/transfers.yaml`` (the example of docs/transfer-file.md)."""
    document = copy.deepcopy(_sample_document)
    document["findings"] = document.pop("assessed")
    return document


@pytest.fixture
def small_document() -> dict[str, Any]:
    return load_fixture("small-run.json")
