"""The bundled Alembic migrations build the schema the models describe, on both databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from databorder.errors import StoreError
from databorder.store import Store
from databorder.store.migrate import MIGRATIONS, head_revision, schema_differences

TABLES = {"runs", "documents", "fields", "categories", "destination_groups", "findings",
          "alembic_version"}


def test_open_migrates_an_empty_database_to_head(store_url: str) -> None:
    with Store.open(store_url) as store:
        inspector = sa.inspect(store.engine)
        assert set(inspector.get_table_names()) == TABLES
        with store.engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == head_revision()


def test_models_and_migrations_agree(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert schema_differences(store.engine) == []


def test_opening_again_keeps_the_runs(store_url: str) -> None:
    with Store.open(store_url) as store:
        run_id = store.begin_run("scan", {})
    with Store.open(store_url) as store:
        assert [run.id for run in store.runs()] == [run_id]


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert list((MIGRATIONS / "versions").glob("*.py"))
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"store/migrations/**/*"' in pyproject


def test_sqlite_store_uses_write_ahead_logging(sqlite_url: str) -> None:
    with Store.open(sqlite_url) as store, store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_a_store_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    Store.open(sqlite_url).close()
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
    engine.dispose()
    with pytest.raises(StoreError, match="cannot open the store at sqlite:///.*f00d"):
        Store.open(sqlite_url)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"this is not an SQLite database, just text\n" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(str(path))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"cannot open the store at sqlite:///{path}: ")
    assert "not a database" in message
    assert path.read_bytes().startswith(b"this is not an SQLite")


def test_an_unreachable_server_is_one_clear_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql+psycopg://someone:hunter2@127.0.0.1:1/nowhere")
    assert "hunter2" not in str(caught.value)
    assert "someone:***@127.0.0.1:1" in str(caught.value)


@pytest.mark.parametrize("url", ["nosuchdriver://x/y", "postgresql+nosuchdriver://h/db"])
def test_a_bad_url_is_refused(url: str) -> None:
    with pytest.raises(StoreError, match="not a usable database URL"):
        Store.open(url)


OPENER = """
import sys, time
from databorder.store import Store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
with Store.open(sys.argv[1]) as store:
    store.begin_run("scan", {})
print("OPENED")
"""


def test_processes_opening_a_new_store_at_once_all_succeed(store_url: str) -> None:
    import subprocess
    import sys
    import time

    start = time.time() + 3  # every process past its imports, then all at once
    openers = [subprocess.Popen([sys.executable, "-c", OPENER, store_url, str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(4)]
    results = [opener.communicate(timeout=120) for opener in openers]
    assert [out for out, _ in results] == ["OPENED\n"] * 4, [err for _, err in results]
    with Store.open(store_url) as store:
        assert len(store.runs()) == 4
        assert schema_differences(store.engine) == []


def test_a_missing_driver_is_named() -> None:
    with pytest.raises(StoreError, match=r"u:\*\*\*@h/db: its database driver is not installed "
                                         r"\(pyodbc"):
        Store.open("mssql+pyodbc://u:secret@h/db")


def test_a_locked_sqlite_store_is_opened_once_the_lock_goes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite may say "database is locked" at once, busy timeout or not, while another process
    creates the same store: opening tries again; any other error is raised at once."""
    from databorder.store import migrate

    real = migrate._upgrade_once
    answers = iter([sqlite3.OperationalError("database is locked")] * 3)

    def flaky(engine: Any) -> None:
        error = next(answers, None)
        if error is not None:
            raise error
        real(engine)

    monkeypatch.setattr(migrate, "_upgrade_once", flaky)
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        assert schema_differences(store.engine) == []
    assert next(answers, None) is None

    monkeypatch.setattr(migrate, "_upgrade_once", lambda engine: (_ for _ in ()).throw(
        sqlite3.OperationalError("disk I/O error")))
    with pytest.raises(StoreError, match="disk I/O error"):
        Store.open(f"sqlite:///{tmp_path / 'other.sqlite'}")
