"""The pure per-batch step of a scan and its mergeable result.

``tally_batch(plan, batch)`` takes one Arrow record batch of a table and the plan made from the
table's sample, and returns a :class:`TableTally`: rows, per-field matched rows, distinct
counters over normalised values, masked samples and sub-kinds. Tallies merge associatively,
so batches of a file, files of a folder and partitions on Spark executors combine the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from dataclasses import field as default
from functools import partial

import polars as pl
import pyarrow as pa

from databorder.detect.base import Detector, TableMatch
from databorder.detect.columns import ColumnClass, TablePlan, as_strings
from databorder.detect.counting import DEFAULT_EXACT_LIMIT, DistinctCounter
from databorder.detect.text import tally_text_column
from databorder.detect.vectorized import lower_case

MAX_SAMPLES = 3
KIND_SAMPLE = 500
REPEAT_PROBE = 4_096
REPEAT_SHARE = 0.9
"""Distinct values per field whose sub-kind (public/private, brand) is tallied, in the batches
asked to (the engine asks the first batch of each table): ``kind()`` runs in Python."""
SUBJECTS = ("", "subjects")
"""The key of the distinct-subjects counter among :data:`Floors`."""
Floors = Mapping[tuple[str, str], int]
"""Per counter (``(field, category)``, or :data:`SUBJECTS`), the floor of its sketch."""


@dataclass(slots=True)
class FieldTally:
    field: str
    category: str
    method: str
    """``value`` (whole cells), ``table`` (column group) or ``text`` (embedded in text)."""
    detectors: set[str]
    confidence: float
    reason: str
    distinct: DistinctCounter
    rows: int = 0
    samples: list[str] = default(default_factory=list)
    kinds: Counter[str] = default(default_factory=Counter)

    def add_samples(self, masked: list[str]) -> None:
        for value in masked:
            if len(self.samples) >= MAX_SAMPLES:
                return
            if value not in self.samples:
                self.samples.append(value)

    def merge(self, other: FieldTally) -> None:
        self.rows += other.rows
        self.distinct.merge(other.distinct)
        self.add_samples(other.samples)
        self.kinds.update(other.kinds)
        self.detectors |= other.detectors
        self.confidence = max(self.confidence, other.confidence)


@dataclass(slots=True)
class TableTally:
    rows: int = 0
    fields: dict[tuple[str, str], FieldTally] = default(default_factory=dict)
    subjects: DistinctCounter | None = None

    def merge(self, other: TableTally) -> None:
        self.rows += other.rows
        for key, tally in other.fields.items():
            if key in self.fields:
                self.fields[key].merge(tally)
            else:
                self.fields[key] = tally
        if other.subjects is not None:
            if self.subjects is None:
                self.subjects = other.subjects
            else:
                self.subjects.merge(other.subjects)


def tally_batch(
    plan: TablePlan,
    batch: pa.RecordBatch | pl.DataFrame,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    with_kinds: bool = True,
    pool: Executor | None = None,
) -> TableTally:
    """Count what ``plan`` asks for in one batch; sub-kinds only ``with_kinds``.

    Fields are independent, so a ``pool`` may count them in parallel: Polars releases the GIL,
    and most of its string kernels run on one core per call. Text columns, the longest tasks,
    are handed out first, so that no core waits for one long task at the end of a batch
    (cutting them in chunks measured slower: each chunk repeats the per-call costs).
    """
    return start_batch(plan, batch, exact_limit, with_kinds, pool).result()


class PendingTally:
    """A batch handed to a pool: :meth:`result` waits for its fields and returns its tally.

    The engine starts the next batch before it asks for this one's result, so the pool's
    workers do not wait at the end of each batch for its last, longest task.
    """

    __slots__ = ("_rows", "_subjects", "_results")

    def __init__(self, rows: int, subjects: DistinctCounter | None,
                 results: Iterator[list[FieldTally]]) -> None:
        self._rows = rows
        self._subjects = subjects
        self._results = results

    def result(self) -> TableTally:
        tally = TableTally(rows=self._rows, subjects=self._subjects)
        for counted_fields in self._results:
            for counted in counted_fields:
                tally.fields[(counted.field, counted.category)] = counted
        return tally


def start_batch(
    plan: TablePlan,
    batch: pa.RecordBatch | pl.DataFrame,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    with_kinds: bool = True,
    pool: Executor | None = None,
    floors: Floors | None = None,
) -> PendingTally:
    """:func:`tally_batch`, its fields handed to ``pool`` and not waited for.

    ``floors`` (:func:`floors_of` the tally this batch will be merged into) drops the hashes
    that can no longer change a field's sketch before they are sorted: the batch's tally is
    then only fit for that merge.
    """
    frame = batch if isinstance(batch, pl.DataFrame) else pl.DataFrame(pl.from_arrow(batch))
    floors = floors or {}
    tasks: list[Callable[[], list[FieldTally]]] = [
        partial(_tally_text, frame[name], name, exact_limit, floors)
        for name in plan.text_fields]
    tasks += [partial(_tally_values, frame, column, detector, exact_limit, with_kinds,
                      floors.get((column.field, column.category)))
              for column, detector in plan.value_columns]
    tasks += [partial(_tally_group, frame, match, exact_limit,
                      floors.get((",".join(match.fields), match.category)))
              for match in plan.table_matches]
    results = pool.map(_call, tasks) if pool is not None else map(_call, tasks)
    subjects = None
    if plan.subject_key is not None:
        subjects = _count_subjects(frame, plan.subject_key.fields, exact_limit,
                                   floors.get(SUBJECTS))
    return PendingTally(frame.height, subjects, results)


def floors_of(tally: TableTally) -> Floors:
    """Per counter of ``tally`` that has turned into a sketch, its floor (its theta)."""
    floors = {key: floor for key, field in tally.fields.items()
              if (floor := field.distinct.floor()) is not None}
    if tally.subjects is not None and (floor := tally.subjects.floor()) is not None:
        floors[SUBJECTS] = floor
    return floors


def _call(task: Callable[[], list[FieldTally]]) -> list[FieldTally]:
    return task()


def _count_subjects(frame: pl.DataFrame, fields: tuple[str, ...],
                    exact_limit: int, floor: int | None = None) -> DistinctCounter:
    subjects = DistinctCounter(exact_limit)
    if len(fields) == 1:
        keys = lower_case(as_strings(frame[fields[0]]))
    else:  # tagged by column, so equal strings in two identifier columns stay apart
        keys = pl.select(pl.coalesce(
            pl.lit(f"{i}:") + pl.lit(lower_case(as_strings(frame[name])))
            for i, name in enumerate(fields))).to_series()
    subjects.add_values(keys, floor)
    _settle(subjects)
    return subjects


def _settle(counter: DistinctCounter) -> None:
    """Deduplicate a batch's hashes in the worker: merging then happens on the caller's thread,
    one batch after another, and would otherwise do it there."""
    counter.result()


def _repeats_often(values: pl.Series) -> bool:
    """True when the column's values repeat enough for checking each distinct value once.

    Judged on a prefix: a pool of a few thousand names or phone numbers drawn over a batch of
    65,536 rows already shows repeats in its first 4,096 rows, a column of unique ids none.
    """
    prefix = values.head(REPEAT_PROBE).drop_nulls()
    return prefix.len() > 0 and prefix.n_unique() < REPEAT_SHARE * prefix.len()


def _tally_values(frame: pl.DataFrame, column: ColumnClass, detector: Detector,
                  exact_limit: int, with_kinds: bool,
                  floor: int | None = None) -> list[FieldTally]:
    values = as_strings(frame[column.field])
    if _repeats_often(values):
        # count_cells and normalize_cells work cell by cell: on the distinct values (in order
        # of first occurrence) they give the same rows, distinct set and samples
        uniques = values.drop_nulls().unique(maintain_order=True)
        counted_cells, normal = detector.count_and_normalize(uniques)
        matched = uniques.filter(counted_cells)
        rows = int(values.is_in(matched.implode()).sum())
    else:
        counted_cells, normal = detector.count_and_normalize(values)
        matched = values.filter(counted_cells)
        rows = matched.len()
    counted = FieldTally(column.field, column.category, "value", {detector.name},
                         column.confidence, column.reason, DistinctCounter(exact_limit),
                         rows=rows)
    if rows:
        counted.distinct.add_values(normal, floor)
        _settle(counted.distinct)
        # distinct values are only needed for a few samples (and kinds): look at a prefix
        prefix = matched if with_kinds else matched.head(64)
        limit = KIND_SAMPLE if with_kinds else MAX_SAMPLES
        distinct_values = prefix.unique(maintain_order=True).head(limit).to_list()
        counted.add_samples([detector.mask(v) for v in distinct_values[:MAX_SAMPLES]])
        if with_kinds:
            counted.kinds.update(k for v in distinct_values if (k := detector.kind(v)))
    return [counted]


def _tally_group(frame: pl.DataFrame, match: TableMatch, exact_limit: int,
                 floor: int | None = None) -> list[FieldTally]:
    counted = FieldTally(",".join(match.fields), match.category, "table", {"table"},
                         match.confidence, match.reason, DistinctCounter(exact_limit))
    counted.add_samples(list(match.masked_samples))
    selected = frame.lazy()
    if match.row_filter is not None:
        selected = selected.filter(match.row_filter)
    if match.key is not None:
        keys = selected.select(match.key.alias("key")).collect()["key"].drop_nulls()
        counted.rows = keys.len()
        counted.distinct.add_values(keys.cast(pl.String), floor)
        _settle(counted.distinct)
    else:
        counted.rows = selected.select(pl.len()).collect().item()
    return [counted]


def _tally_text(column: pl.Series, name: str, exact_limit: int,
                floors: Floors) -> list[FieldTally]:
    found_fields = []
    texts = as_strings(column)
    tallies = tally_text_column(texts, samples=MAX_SAMPLES, deduplicate=_repeats_often(texts))
    for category, found in tallies.items():
        counted = FieldTally(name, category, "text", found.detectors, 0.9,
                             "values found in free text", DistinctCounter(exact_limit),
                             rows=found.row_count)
        counted.distinct.add_values(found.values(), floors.get((name, category)))
        _settle(counted.distinct)
        counted.add_samples(found.masked)
        found_fields.append(counted)
    return found_fields
