"""What every reader of data at rest provides.

A scan target (a path or a database URL) opens into one or more :class:`TableSource`: a file
is one table, a database one per table. A table source gives a small ``sample`` (used to
classify columns) and then streams bounded ``batches`` of the columns asked for (Arrow record
batches; ``frames`` gives them as Polars frames), so memory stays flat however large the
input. Column names are flat strings; nested JSON fields are flattened into dotted paths
(``device.wifi.bssid``) by the reader. Cell values are Arrow
primitives; readers of text formats give strings.

A free-text source (plain text, logs) has ``is_text`` set and yields two columns:
``line`` (int64, 1-based line number) and ``text``.

Readers report progress in input bytes consumed (compressed bytes for compressed files) through
the ``progress`` callback, so a progress bar can run against the file size.

Errors: a reader raises :class:`databorder.errors.ReadError` naming the source and the line,
row or field; never a raw value in the message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa

from databorder.errors import InputError

ProgressFn = Callable[[int], None]
"""Called with the number of input bytes consumed since the previous call."""

BATCH_ROWS = 65_536
"""Default upper bound of rows per batch."""

TEXT_COLUMNS = ("line", "text")


class TableSource(ABC):
    """One table to scan: a file, or one table of a database."""

    source: str
    """Display name: the path, or the database URL with any password removed."""
    table: str | None = None
    """Table name inside a database; None for a file."""
    is_text: bool = False
    size_bytes: int | None = None
    """Total input bytes, for progress; None when unknown."""

    @abstractmethod
    def sample(self, rows: int) -> pa.Table:
        """The first ``rows`` rows (all columns)."""

    @abstractmethod
    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        """Stream the whole table in bounded batches, only ``columns`` when given."""

    def frames(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None,
        rows: int = BATCH_ROWS,
    ) -> Iterator[pl.DataFrame]:
        """:meth:`batches` as Polars frames, as the engine counts them. ``rows`` is the frame
        size the caller would like; a reader that parses straight into Polars gives frames
        of that size and overrides this."""
        for batch in self.batches(columns, progress):
            yield pl.DataFrame(pl.from_arrow(batch))

    @property
    def label(self) -> str:
        return f"{self.source}#{self.table}" if self.table else self.source


class FileReader(ABC):
    """Reads one file format; subclasses are found automatically by ``sources.open``."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    """Lower-case suffixes after any compression suffix is removed (``.csv``, ``.tsv``)."""
    sniff_order: ClassVar[int] = 50
    """Readers of files with an unknown suffix are asked in this order (specific formats first)."""

    def sniff(self, head: bytes) -> bool:
        """True when ``head`` (the first bytes, already decompressed) looks like this format."""
        return False

    @abstractmethod
    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        """Table sources in the file; ``compression`` is ``gzip``, ``zstd`` or None."""


def require_uncompressed(path: Path, compression: str | None, format_name: str) -> None:
    """Formats that need random access (Parquet, SQLite) cannot be read through a stream."""
    if compression:
        raise InputError(str(path), f"{compression}-compressed {format_name} cannot be read; "
                                    "decompress it first")
