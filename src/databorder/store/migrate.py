"""Schema migrations of the run store: Alembic, shipped in the package, driven from code.

:func:`upgrade` brings a database to the newest revision when :meth:`Store.open` runs; a store
already at the head costs one query. :func:`schema_differences` is what the test that keeps the
models and the migrations in agreement asks (Alembic's autogenerate comparison).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from .models import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x64627374  # "dbst": the advisory lock id of store migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the bundled migrations (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


BUSY_RETRY_SECONDS = 30.0
"""How long :func:`upgrade` tries again while SQLite says the database is locked."""


def upgrade(engine: Engine) -> None:
    """Migrate the database to the head revision, in one transaction that holds the database's
    write lock, so that processes opening a new store at once migrate it once.

    SQLite can answer "database is locked" without waiting out its busy timeout (a new file
    switching to WAL while another process creates it): such an answer is tried again, with
    growing pauses, for :data:`BUSY_RETRY_SECONDS`."""
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    pause = 0.05
    while True:
        try:
            _upgrade_once(engine)
            return
        except (OperationalError, sqlite3.OperationalError) as exc:
            if (engine.dialect.name != "sqlite" or not _busy(exc)
                    or time.monotonic() + pause > deadline):
                raise
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in text or "database is busy" in text


def _upgrade_once(engine: Engine) -> None:
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    with engine.begin() as connection:
        _lock_for_migration(connection)
        if current_revision(connection) != head:
            command.upgrade(alembic_config(connection), "head")


def _lock_for_migration(connection: Connection) -> None:
    dialect = connection.dialect.name
    if dialect == "sqlite":  # the driver has not begun a transaction yet: take the write lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":  # held to the end of the transaction (DDL is transactional)
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


def schema_differences(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
