"""A run killed with SIGKILL in the middle of its write leaves a store that opens, lists that run
as incomplete, and holds every earlier run byte for byte.

The child process writes a large run (tens of thousands of fields, a document of megabytes, so
SQLite spills pages into the WAL before committing); a hook inside its transaction prints a
marker after the documents and the first field rows are written and then waits, so the kill
always lands mid-transaction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from databorder.store import Store

WRITER = """
import json, sys, time
import sqlalchemy as sa
from databorder.store import Store

store = Store.open(sys.argv[1])
inventory = json.loads(open(sys.argv[2], encoding="utf-8").read())
run_id = store.begin_run("scan", {"targets": ["big"]})

@sa.event.listens_for(store.engine, "after_cursor_execute")
def pause_mid_write(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO FIELDS"):
        print(f"MID-WRITE {run_id}", flush=True)
        time.sleep(300)

store.finish_run(run_id, inventory=inventory)
print("FINISHED", flush=True)
"""

BIG_FIELDS = 40_000


def _big_inventory(inventory: dict[str, Any]) -> dict[str, Any]:
    fields = inventory["fields"]
    big = dict(inventory)
    big["fields"] = [{**fields[i % len(fields)], "field": f"column_{i}"}
                     for i in range(BIG_FIELDS)]
    return big


def _snapshot(store: Store) -> dict[str, Any]:
    with store.engine.connect() as connection:
        documents = connection.execute(sa.text(
            "SELECT run_id, kind, CAST(body AS TEXT) FROM documents ORDER BY id")).all()
        fields = connection.execute(sa.text(
            "SELECT run_id, source, field, category, rows FROM fields ORDER BY id")).all()
    return {"documents": [tuple(r) for r in documents], "fields": [tuple(r) for r in fields]}


def test_a_run_killed_mid_write_is_incomplete_and_the_others_intact(
        store_url: str, tmp_path: Path, inventory_document: dict[str, Any],
        flows_document: dict[str, Any]) -> None:
    with Store.open(store_url) as store:
        earlier = []
        for documents in ({"inventory": inventory_document}, {"flows": flows_document}):
            earlier.append(store.begin_run("scan", {}))
            store.finish_run(earlier[-1], **documents)
        before = _snapshot(store)
    big = tmp_path / "big-inventory.json"
    big.write_text(json.dumps(_big_inventory(inventory_document)), encoding="utf-8")
    assert big.stat().st_size > 10_000_000

    writer = subprocess.Popen([sys.executable, "-c", WRITER, store_url, str(big)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        marker = writer.stdout.readline()
        assert marker.startswith("MID-WRITE "), writer.stderr.read() if writer.stderr else ""
        killed_run = int(marker.split()[1])
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    wal = Path(sa.make_url(store_url).database or "").with_name("store.sqlite-wal")
    if store_url.startswith("sqlite"):  # the killed transaction had reached the file
        assert wal.stat().st_size > 1_000_000

    with Store.open(store_url) as store:
        runs = {run.id: run for run in store.runs()}
        assert runs[killed_run].status == "incomplete"
        assert runs[killed_run].documents == ()
        assert runs[killed_run].counts.fields == 0
        assert [runs[i].status for i in earlier] == ["complete", "complete"]
        assert _snapshot(store) == before
        assert store.run_document(earlier[0])["inventory"] == inventory_document
        assert store.run_document(earlier[1])["flows"] == flows_document
        # the store takes new runs after the kill
        after = store.begin_run("scan", {})
        store.finish_run(after, inventory=inventory_document)
        assert store.run(after).status == "complete"

    listed = subprocess.run([sys.executable, "-m", "databorder", "runs", "--store", store_url,
                             "--json"], capture_output=True, text=True, check=True)
    statuses = {run["id"]: run["status"] for run in json.loads(listed.stdout)}
    assert statuses[killed_run] == "incomplete"
