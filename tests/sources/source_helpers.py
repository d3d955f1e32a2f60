"""Helpers for the reader tests (imported by name: the test folders are not packages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from databorder.sources.base import BATCH_ROWS, TableSource
from databorder.sources.open import Skipped, open_target

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@dataclass
class Read:
    table: pa.Table
    batch_rows: list[int] = field(default_factory=list)
    progress: int = 0


def read_all(source: TableSource, columns: Sequence[str] | None = None) -> Read:
    """Every batch of ``source``, checking that each is bounded."""
    result = Read(pa.table({}))
    batches = []

    def progress(n: int) -> None:
        assert n > 0
        result.progress += n

    for batch in source.batches(columns, progress):
        assert batch.num_rows <= BATCH_ROWS
        result.batch_rows.append(batch.num_rows)
        batches.append(batch)
    result.table = pa.Table.from_batches(batches) if batches else pa.table({})
    return result


def only_source(target: Path | str, tables: Sequence[str] = ()) -> TableSource:
    opened = list(open_target(str(target), tables))
    assert len(opened) == 1, opened
    assert not isinstance(opened[0], Skipped), opened[0]
    return opened[0]
