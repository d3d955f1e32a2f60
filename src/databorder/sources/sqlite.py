"""SQLite database files, recognised by their magic whatever the suffix.

The reader only sniffs; opening a file loads SQLAlchemy and :mod:`.sql`, so that
scans without databases do not pay for importing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from .base import FileReader, TableSource, require_uncompressed

SQLITE_MAGIC = b"SQLite format 3\x00"


class SqliteReader(FileReader):
    """SQLite database files: every table is a source (see :mod:`.sql`)."""

    name: ClassVar[str] = "sqlite"
    suffixes: ClassVar[tuple[str, ...]] = (".sqlite", ".sqlite3", ".db3")
    sniff_order: ClassVar[int] = 5

    def sniff(self, head: bytes) -> bool:
        return head.startswith(SQLITE_MAGIC)

    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        require_uncompressed(path, compression, "SQLite")
        from .sql import open_sqlite_file

        return open_sqlite_file(path)
