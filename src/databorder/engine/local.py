"""The local executor: scan targets in this process, batch by batch, on Polars."""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

import polars as pl

from databorder.detect.base import TableMatch
from databorder.detect.columns import SAMPLE_ROWS, TablePlan, plan_table
from databorder.detect.contact import forget_phone_numbers
from databorder.detect.counting import DEFAULT_EXACT_LIMIT
from databorder.errors import DataborderError, InputError
from databorder.inventory import Inventory, Problem, SourceResult, now
from databorder.sources.base import TEXT_COLUMNS, TableSource
from databorder.sources.open import Skipped, open_target

from .batch import FieldTally, PendingTally, TableTally, floors_of, start_batch
from .prefetch import prefetched

_LIST_INDEX = re.compile(r"\.\d+(?=\.|$)")
FRAME_ROWS = 131_072
"""Rows per frame counted at once: consecutive source batches are joined up to it. Every frame
repeats the fixed cost of the per-batch work (a few hundred Polars calls); frames of 131,072
rows (not 65,536) saved 0.6 CPU s per million rows of the bench file, for 120 MB more peak
memory, and 262,144 saved nothing more (docs/performance.md)."""
BATCHES_IN_FLIGHT = 2
"""Batches whose fields are in the pool at once: the next batch's tasks queue behind the
current one's, so a worker never idles while another finishes a batch's longest task."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    sample_rows: int = SAMPLE_ROWS
    exact_limit: int = DEFAULT_EXACT_LIMIT
    tables: tuple[str, ...] = ()
    threads: int = max(2, os.cpu_count() or 2)
    """Fields of a batch counted in parallel (besides the reader thread)."""


class ScanObserver(Protocol):
    """Receives progress; the CLI draws it, tests may ignore it."""

    def table_started(self, table: TableSource) -> None: ...
    def advance(self, consumed_bytes: int, rows: int) -> None: ...
    def table_finished(self, table: TableSource) -> None: ...


class QuietObserver:
    def table_started(self, table: TableSource) -> None:
        pass

    def advance(self, consumed_bytes: int, rows: int) -> None:
        pass

    def table_finished(self, table: TableSource) -> None:
        pass


def plan_for(table: TableSource, sample_rows: int, pool: Executor | None = None) -> TablePlan:
    """Classify a table from its sample (with the detectors spread over ``pool``); free text
    is scanned whole."""
    if table.is_text:
        plan = TablePlan(text_fields=[TEXT_COLUMNS[1]])
        if table.table == "vcf":
            text = pl.col(TEXT_COLUMNS[1])
            plan.table_matches.append(TableMatch(
                "genomic", (TEXT_COLUMNS[1],), 0.95, "VCF variant records",
                row_filter=text.is_not_null() & ~text.str.starts_with("#")))
        return plan
    sample = pl.DataFrame(pl.from_arrow(table.sample(sample_rows)))
    return plan_table(sample, pool=pool)


def scan_table(
    table: TableSource, options: ScanOptions, observer: ScanObserver
) -> SourceResult:
    """Classify a table from its sample, then count over all of it in bounded batches."""
    started: deque[tuple[PendingTally, int]] = deque()
    with ThreadPoolExecutor(max_workers=options.threads) as pool:
        plan = plan_for(table, options.sample_rows, pool)
        total = TableTally()
        # with nothing to count, one column is enough to count rows
        columns = plan.columns_needed or plan.all_columns[:1] or None
        frames = table.frames(columns, lambda consumed: observer.advance(consumed, 0),
                              FRAME_ROWS)
        if not plan.columns_needed:
            for frame in prefetched(frames):
                total.rows += frame.height
                observer.advance(0, frame.height)
        else:
            # one frame read ahead: frames are larger than the source's batches
            for index, frame in enumerate(prefetched(coalesced(frames, FRAME_ROWS), depth=1)):
                started.append((start_batch(plan, frame, options.exact_limit,
                                            with_kinds=index == 0, pool=pool,
                                            floors=floors_of(total)), frame.height))
                while len(started) > BATCHES_IN_FLIGHT - 1:
                    _merge_next(total, started, observer)
        while started:
            _merge_next(total, started, observer)
    subject = plan.subject_key if total.subjects is not None else None
    return SourceResult(
        source=table.source,
        table=table.table,
        reader=type(table).__module__.rsplit(".", 1)[-1],
        rows=total.rows,
        size_bytes=table.size_bytes,
        fields=fold_list_items(total.fields.values()),
        subject_key=subject.field if subject else None,
        subject_basis=subject.basis if subject else None,
        subjects=total.subjects.result() if total.subjects is not None else None,
    )


def coalesced(frames: Iterable[pl.DataFrame], rows: int) -> Iterator[pl.DataFrame]:
    """The frames, consecutive short ones joined while a frame stays within ``rows`` rows
    (Arrow's 8 MiB CSV blocks of wide rows are 25,000 rows, and every frame repeats the
    per-batch work of the scan). Joined chunk by chunk, not copied: no larger buffers than
    the source's own (larger Arrow blocks made the peak memory grow with the file). Frames
    whose columns differ are not joined."""
    pending: list[pl.DataFrame] = []
    held = 0
    for frame in frames:
        if pending and (frame.schema != pending[0].schema
                        or held + frame.height > rows):
            yield _joined(pending)
            pending, held = [], 0
        pending.append(frame)
        held += frame.height
        if held >= rows:
            yield _joined(pending)
            pending, held = [], 0
    if pending:
        yield _joined(pending)


def _joined(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return frames[0] if len(frames) == 1 else pl.concat(frames, rechunk=False)


def _merge_next(total: TableTally, started: deque[tuple[PendingTally, int]],
                observer: ScanObserver) -> None:
    """Wait for the oldest started batch and merge it: batches merge in reading order."""
    pending, rows = started.popleft()
    total.merge(pending.result())
    observer.advance(0, rows)


def fold_list_items(fields: Iterable[FieldTally]) -> list[FieldTally]:
    """One field per JSON list path: ``scan.0.bssid`` and ``scan.1.bssid`` are ``scan[].bssid``.

    Readers flatten lists of objects by position; people ask about the list's field, so the
    positions are merged (their rows then count list items, their distinct values union).
    """
    folded: dict[tuple[str, str], FieldTally] = {}
    for tally in fields:
        name = _LIST_INDEX.sub("[]", tally.field)
        key = (name, tally.category)
        if key in folded:
            folded[key].merge(tally)
        else:
            folded[key] = replace(tally, field=name) if name != tally.field else tally
    return sorted(folded.values(), key=lambda f: (f.field, f.category))


def scan_targets(
    targets: Sequence[str], options: ScanOptions, observer: ScanObserver | None = None
) -> Inventory:
    """Scan every target; unreadable inputs are recorded and the rest still scanned."""
    observer = observer or QuietObserver()
    inventory = Inventory(started_at=now(), exact_limit=options.exact_limit)
    for target in targets:
        try:
            for item in open_target(target, options.tables):
                if isinstance(item, Skipped):
                    problems = inventory.errors if item.error else inventory.skipped
                    problems.append(Problem(item.source, item.reason))
                    continue
                observer.table_started(item)
                try:
                    inventory.sources.append(scan_table(item, options, observer))
                except InputError as error:
                    inventory.errors.append(Problem(item.label, str(error)))
                finally:
                    observer.table_finished(item)
        except InputError as error:
            inventory.errors.append(Problem(error.source, str(error)))
        except DataborderError as error:
            inventory.errors.append(Problem(target, str(error)))
    inventory.finished_at = now()
    forget_phone_numbers()
    return inventory
