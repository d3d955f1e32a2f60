"""Persistence of runs: every run of every command, its documents and normalised rows.

SQLite by default (``.databorder/store.sqlite`` in the working directory), PostgreSQL by URL;
Alembic migrations shipped in the package run when a store is opened. The API is documented
in ``docs/store.md``.
"""

from __future__ import annotations

from .diff import RunDiff, diff_runs
from .records import (
    CategoryRecord,
    DestinationRecord,
    FieldRecord,
    FindingRecord,
    RunCounts,
    RunStatus,
    RunSummary,
)
from .store import RUN_SCHEMA, STALE_AFTER, STORE_ENV, Store, hide_password, store_url

__all__ = [
    "RUN_SCHEMA", "STALE_AFTER", "STORE_ENV", "CategoryRecord", "DestinationRecord",
    "FieldRecord", "FindingRecord", "RunCounts", "RunDiff", "RunStatus", "RunSummary", "Store",
    "diff_runs", "hide_password", "store_url",
]
