"""A real store with real runs, for the dashboard and API tests.

Two runs are written once per session into an SQLite store: run 1 scans the bundled sample's
CSV and JSON Lines files and reads the Zeek fixtures of ``tests/fixtures/traffic``; run 2 scans the
whole bundled sample (so its diff against run 1 has new fields and categories).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import TOKEN, start_serve

from databorder.destinations import to_json as flows_json
from databorder.engine.flows import run_flows
from databorder.engine.local import ScanOptions, scan_targets
from databorder.store import Store
from databorder.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "src" / "databorder" / "samples"
TRAFFIC = ROOT / "tests" / "fixtures" / "traffic"


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "store.sqlite"
    with Store.open(str(path)) as store:
        first = store.begin_run("audit", {"targets": ["orders.csv", "wifi_analytics.jsonl"]})
        inventory = scan_targets([str(SAMPLES / "orders.csv"),
                                  str(SAMPLES / "wifi_analytics.jsonl")], ScanOptions())
        flows = run_flows([str(TRAFFIC / "lnav_bro_conn.log"), str(TRAFFIC / "lnav_bro_http.log")])
        store.finish_run(first, inventory=inventory.to_json(), flows=flows_json(flows))
        second = store.begin_run("scan", {"targets": [str(SAMPLES)]})
        store.finish_run(second, inventory=scan_targets([str(SAMPLES)], ScanOptions()).to_json())
    return path


@pytest.fixture()
def store(store_path: Path) -> Iterator[Store]:
    with Store.open(str(store_path)) as opened:
        yield opened


@pytest.fixture()
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.fixture()
def guarded_client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, TOKEN)) as test_client:
        yield test_client


@pytest.fixture()
def live_server(store_path: Path) -> Iterator[str]:
    """The dashboard served for real (uvicorn, a free port, the access token required)."""
    process, base = start_serve(store_path, "--token", TOKEN)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
