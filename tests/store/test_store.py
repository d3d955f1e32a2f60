"""Runs and documents round trip through real SQLite and PostgreSQL stores, transactionally."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from databorder import __version__
from databorder.errors import StoreError, UsageError
from databorder.store import RUN_SCHEMA, Store, store_url


def _raw_documents(store: Store) -> dict[tuple[int, str], str]:
    """Document bodies as the database holds them (text, not parsed)."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT run_id, kind, CAST(body AS TEXT) FROM documents ORDER BY id"))
        return {(run_id, kind): body for run_id, kind, body in rows}


def _row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("documents", "fields", "categories", "destination_groups",
                              "findings")}


def test_documents_round_trip(store_url: str, inventory_document: dict[str, Any],
                              flows_document: dict[str, Any],
                              findings_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("audit", {"target": "fixtures/"})
        store.finish_run(run_id, inventory=inventory_document, flows=flows_document,
                         findings=findings_document)
        document = store.run_document(run_id)
    assert list(document) == ["schema", "run", "inventory", "flows", "findings"]
    assert document["schema"] == RUN_SCHEMA
    assert set(document["run"]) == {"id", "command", "arguments", "status", "started_at",
                                    "finished_at", "tool_version"}
    assert document["run"]["id"] == run_id
    assert document["run"]["status"] == "complete"
    assert document["run"]["tool_version"] == __version__
    assert document["run"]["arguments"] == {"target": "fixtures/"}
    assert document["inventory"] == inventory_document
    assert document["flows"] == flows_document
    assert document["findings"] == findings_document
    assert json.loads(json.dumps(document)) == document


def test_rows_mirror_the_documents(store_url: str, inventory_document: dict[str, Any],
                                   flows_document: dict[str, Any],
                                   findings_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("audit", {})
        store.finish_run(run_id, inventory=inventory_document, flows=flows_document,
                         findings=findings_document)
        fields, categories = store.fields(run_id), store.categories(run_id)
        groups, findings = store.destinations(run_id), store.findings(run_id)
        summary = store.run(run_id)
    assert [(f.source, f.table, f.field, f.category, f.rows, f.distinct, f.distinct_exact)
            for f in fields] == [
        (f["source"], f["table"], f["field"], f["category"], f["rows"], f["distinct"],
         f["distinct_exact"]) for f in inventory_document["fields"]]
    assert {c.category: (c.distinct, c.exact, c.unit) for c in categories} == {
        name: (c["distinct"], c["distinct_exact"], c["unit"])
        for name, c in inventory_document["categories"].items()}
    assert [g.to_json() for g in groups] == [
        {key: g[key] for key in ("recipient", "ultimate_parent", "controlled_from",
                                 "country_of_concern", "flows", "bytes_out", "bytes_in",
                                 "internal_hosts")} for g in flows_document["groups"]]
    assert [(f.id, f.outcome, f.transfer, f.counterparty) for f in findings] == [
        ("DOJ-20/analytics", "prohibited", "analytics", "Example Analytics Ltd"),
        ("PIPL-38/crm", "needs-mechanism", "crm", None)]
    assert summary.documents == ("findings", "flows", "inventory")
    assert summary.counts.fields == len(inventory_document["fields"]) > 10
    assert summary.counts.destination_groups == len(flows_document["groups"]) > 2
    assert summary.counts.findings == 2


def test_runs_list_every_status(store_url: str, inventory_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        done = store.begin_run("scan", {})
        store.finish_run(done, inventory=inventory_document)
        failed = store.begin_run("scan", {})
        store.finish_run(failed, status="failed")
        running = store.begin_run("flows", {})
        summaries = {run.id: run for run in store.runs()}
    assert [summaries[i].status for i in (done, failed, running)] == [
        "complete", "failed", "running"]
    assert summaries[running].pid == os.getpid()
    assert summaries[running].finished_at is None
    assert summaries[done].finished_at is not None
    assert summaries[done].started_at <= summaries[done].finished_at
    assert summaries[done].started_at.utcoffset() is not None


def test_a_running_run_of_a_dead_process_is_incomplete(store_url: str) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("scan", {})
        with store.engine.begin() as connection:  # as if another process had begun it
            connection.execute(sa.text("UPDATE runs SET pid = :pid WHERE id = :id"),
                               {"pid": _dead_pid(), "id": run_id})
        assert store.run(run_id).status == "incomplete"


def test_a_running_run_of_another_host_is_incomplete_once_stale(store_url: str) -> None:
    with Store.open(store_url) as store:
        fresh = store.begin_run("scan", {})
        stale = store.begin_run("scan", {})
        with store.engine.begin() as connection:
            connection.execute(sa.text("UPDATE runs SET hostname = 'elsewhere.example'"))
            connection.execute(sa.text(
                "UPDATE runs SET started_at = :when WHERE id = :id"),
                {"when": store.run(stale).started_at.replace(year=2000), "id": stale})
        assert store.run(fresh).status == "running"
        assert store.run(stale).status == "incomplete"


def _dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_references(store_url: str, inventory_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        ids = []
        for _ in range(3):
            ids.append(store.begin_run("scan", {}))
            store.finish_run(ids[-1], inventory=inventory_document)
        store.begin_run("scan", {})  # running: not counted by latest
        assert store.resolve("latest") == ids[2]
        assert store.resolve("latest~1") == ids[1]
        assert store.resolve(" latest~2 ") == ids[0]
        assert store.resolve(str(ids[1])) == ids[1]
        with pytest.raises(UsageError, match="no run latest~3"):
            store.resolve("latest~3")
        with pytest.raises(UsageError, match="no run 999"):
            store.resolve("999")
        with pytest.raises(UsageError, match="not a run"):
            store.resolve("yesterday")


def test_passwords_in_arguments_are_hidden(store_url: str) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("scan", {"targets": [
            "postgresql://reader:s3cret@db.example/crm", "data/"]})
        assert store.run(run_id).arguments == {"targets": [
            "postgresql://reader:***@db.example/crm", "data/"]}


def test_a_run_finishes_once(store_url: str, inventory_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("scan", {})
        store.finish_run(run_id, inventory=inventory_document)
        with pytest.raises(StoreError, match=f"run {run_id} cannot be finished"):
            store.finish_run(run_id, inventory=inventory_document)
        assert store.run(run_id).status == "complete"
        assert store.run_document(run_id)["inventory"] == inventory_document


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda d: d.update(schema="databorder.inventory/9"),
     "inventory document: schema must be 'databorder.inventory/1', not "
     "'databorder.inventory/9'"),
    (lambda d: d["fields"][3].pop("category"), "inventory fields[3]: 'category' is missing"),
    (lambda d: d["fields"][5].update(distinct="1,000"),
     "inventory fields[5]: 'distinct' must be a non-negative integer, not str"),
    (lambda d: d.update(categories=[]), "inventory document: 'categories' must be an object"),
])
def test_a_malformed_document_fails_the_run_and_keeps_the_others(
        store_url: str, inventory_document: dict[str, Any], break_it: Any,
        message: str) -> None:
    broken = copy.deepcopy(inventory_document)
    break_it(broken)
    with Store.open(store_url) as store:
        earlier = store.begin_run("scan", {})
        store.finish_run(earlier, inventory=inventory_document)
        before, counts = _raw_documents(store), _row_counts(store)
        run_id = store.begin_run("scan", {})
        with pytest.raises(StoreError) as caught:
            store.finish_run(run_id, inventory=broken)
        assert str(caught.value) == message
        assert store.run(run_id).status == "failed"
        assert store.run_document(run_id)["inventory"] is None
        assert _raw_documents(store) == before
        assert _row_counts(store) == counts


def test_an_error_inside_the_transaction_leaves_nothing_half_written(
        store_url: str, inventory_document: dict[str, Any], flows_document: dict[str, Any],
        findings_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        earlier = store.begin_run("audit", {})
        store.finish_run(earlier, inventory=inventory_document, flows=flows_document)
        before, counts = _raw_documents(store), _row_counts(store)

        @sa.event.listens_for(store.engine, "before_cursor_execute")
        def fail_on_findings(*args: Any) -> None:
            if args[2].lstrip().upper().startswith("INSERT INTO FINDINGS"):
                raise RuntimeError("disk full (simulated inside the transaction)")

        run_id = store.begin_run("audit", {})
        with pytest.raises(RuntimeError, match="disk full"):
            store.finish_run(run_id, inventory=inventory_document, flows=flows_document,
                             findings=findings_document)
        sa.event.remove(store.engine, "before_cursor_execute", fail_on_findings)
        assert _raw_documents(store) == before
        assert _row_counts(store) == counts
        assert store.run(run_id).status == "failed"
        assert store.run(earlier).status == "complete"


def test_the_default_store_is_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABORDER_STORE", raising=False)
    assert store_url() == f"sqlite:///{tmp_path / '.databorder' / 'store.sqlite'}"
    assert store_url("runs.sqlite") == f"sqlite:///{tmp_path / 'runs.sqlite'}"
    monkeypatch.setenv("DATABORDER_STORE", "sqlite:///elsewhere.sqlite")
    assert store_url() == "sqlite:///elsewhere.sqlite"
    assert store_url("postgresql://h/db") == "postgresql://h/db"
    monkeypatch.delenv("DATABORDER_STORE")
    with Store.open() as store:
        store.begin_run("scan", {})
    assert (tmp_path / ".databorder" / "store.sqlite").is_file()


@pytest.mark.parametrize(("text", "shown"), [
    ("postgresql+psycopg://u:pa/ss@h/db", "postgresql+psycopg://u:***@h/db"),
    ("a mysql://root:x@h:3306/t and sqlite:///a/b.db", "a mysql://root:***@h:3306/t and "
                                                       "sqlite:///a/b.db"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("https://example.com/a:b", "https://example.com/a:b"),
])
def test_hide_password(text: str, shown: str) -> None:
    from databorder.store import hide_password

    assert hide_password(text) == shown
