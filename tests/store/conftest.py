"""Fixtures of the store tests: empty stores on SQLite and PostgreSQL, and real documents.

``store_url`` runs a test once on an SQLite file and once on a fresh PostgreSQL schema (dropped
afterwards); the documents come from real runs of the scan and flows stages on the fixtures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from databorder.attribute.entities import KnowledgeBase
from databorder.destinations import to_json as flows_json
from databorder.engine.flows import run_flows
from databorder.engine.local import ScanOptions, scan_targets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'store.sqlite'}"


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search path is a new, empty schema."""
    schema = f"databorder_store_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "pg_schema_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(scope="session")
def inventory_document() -> dict[str, Any]:
    """A real inventory: the scan of tests/fixtures/sources."""
    inventory = scan_targets([str(FIXTURES / "sources")], ScanOptions())
    assert not inventory.errors
    return inventory.to_json()


@pytest.fixture(scope="session")
def flows_document() -> dict[str, Any]:
    """A real flows result: tests/fixtures/traffic (a Zeek conn and http log)."""
    logs = [str(FIXTURES / "traffic" / name) for name in ("lnav_bro_conn.log", "lnav_bro_http.log")]
    result = run_flows(logs, KnowledgeBase.bundled())
    assert not result.problems
    return flows_json(result)


@pytest.fixture(scope="session")
def findings_document() -> dict[str, Any]:
    """A findings document as the rules engine writes it (databorder.findings/1)."""
    return {
        "schema": "databorder.findings/1",
        "tool": {"name": "databorder", "version": "0.1.0"},
        "started_at": "2026-01-05T10:00:00+00:00",
        "finished_at": "2026-01-05T10:00:01+00:00",
        "as_of": "2026-01-05",
        "findings": [
            {"id": "DOJ-20/analytics", "regime": "US-DOJ-DSP", "rule": "DOJ-20",
             "name": "doj.vendor", "title": "Vendor agreement with a covered person",
             "outcome": "prohibited", "severity": "critical", "transfer": "analytics",
             "counterparty": "Example Analytics Ltd", "categories": ["precise_geolocation"],
             "evidence": [{"kind": "inventory", "category": "precise_geolocation"}],
             "actions": ["stop the transfer"], "questions": [],
             "citations": ["28 CFR 202.401"]},
            {"id": "PIPL-38/crm", "regime": "CN-PIPL", "rule": "PIPL-38",
             "name": "pipl.mechanism", "title": "Export needs a mechanism",
             "outcome": "needs-mechanism", "severity": "high",
             "transfer": {"id": "crm", "name": "CRM export"}, "counterparty": None,
             "categories": ["phone"], "evidence": [], "actions": [], "questions": [],
             "citations": ["PIPL Art. 38"]},
        ],
    }
