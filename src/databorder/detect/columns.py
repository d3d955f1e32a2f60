"""Column classification of tabular data from a sample.

Each column of a sample is tested against every value detector: the share of non-empty sampled
cells that hold a valid value, together with the column name (in any of the languages the
detectors list), gives a confidence. A column takes the one category that scores best. Table
detectors then look for categories that live in combinations of columns (coordinate pairs,
payment records). String columns whose values read like prose are marked for free-text scanning.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import polars as pl

from .base import Detector, TableDetector, TableMatch
from .context import name_matches
from .registry import table_detectors, value_detectors

SAMPLE_ROWS = 2_000
"""Rows read to classify a table's columns."""
HEADER_ONLY_MIN_SHARE = 0.3
"""A column named for a category needs at least this share of valid values."""
CONTEXT_MIN_SHARE = 0.5
"""A context-only detector (wifi_ssid, person_name...) needs its header and this share."""
TEXT_MIN_MEAN_LENGTH = 24
TEXT_MIN_SPACE_SHARE = 0.5

SUBJECT_KEY_WORDS = (
    "customer_id", "user_id", "userid", "client_id", "member_id", "patient_id", "person_id",
    "account_id", "subscriber_id", "uid", "customer", "用户id", "用户ID", "客户id", "客户ID",
    "kunden_id", "kundennummer", "id_client", "identifiant_client", "id_cliente", "id_usuario",
)
SUBJECT_CATEGORY_ORDER = (
    "email", "phone", "government_id", "device_id", "payment_card", "bank_account",
    "mac_address", "ip_address",
)


@dataclass(frozen=True, slots=True)
class ColumnClass:
    """The category one column (or column group) holds, with the evidence for it."""

    field: str
    category: str
    detector: str
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class SubjectKey:
    """The column(s) whose values name the persons or devices of a table.

    Several columns of one identifier category (a device's IMEI in some rows, its UUID in
    others) count together: each row's subject is its first non-empty one.
    """

    fields: tuple[str, ...]
    basis: str

    @property
    def field(self) -> str:
        return ", ".join(self.fields)


@dataclass(slots=True)
class TablePlan:
    """What the full pass over a table counts."""

    value_columns: list[tuple[ColumnClass, Detector]] = field(default_factory=list)
    table_matches: list[TableMatch] = field(default_factory=list)
    text_fields: list[str] = field(default_factory=list)
    subject_key: SubjectKey | None = None
    all_columns: list[str] = field(default_factory=list)

    @property
    def columns_needed(self) -> list[str]:
        wanted = [c.field for c, _ in self.value_columns]
        for match in self.table_matches:
            wanted.extend(match.fields)
            for expression in (match.key, match.row_filter):
                if expression is not None:
                    wanted.extend(expression.meta.root_names())
        wanted.extend(self.text_fields)
        if self.subject_key:
            wanted.extend(self.subject_key.fields)
        return list(dict.fromkeys(wanted))

    @property
    def classes(self) -> list[ColumnClass]:
        found = [c for c, _ in self.value_columns]
        for match in self.table_matches:
            found.append(ColumnClass(",".join(match.fields), match.category, "table",
                                     match.confidence, match.reason))
        return found


def as_strings(column: pl.Series) -> pl.Series:
    """A column as stripped strings, nulls for empty cells."""
    values = column if column.dtype == pl.String else column.cast(pl.String, strict=False)
    stripped = values.str.strip_chars()
    empty = stripped.str.len_bytes() == 0
    # readers give empty cells as nulls already: most batches have none left to set
    return stripped.set(empty, None) if empty.any() else stripped


def _score(
    detector: Detector, name: str, share: float, count: int
) -> tuple[float, str] | None:
    if name_matches(name, detector.negative_header_words):
        return None
    header = name_matches(name, detector.header_words)
    shown = f"{share:.0%} of {count} sampled values valid"
    if detector.needs_context:
        if header and share >= CONTEXT_MIN_SHARE:
            return 0.6 + 0.4 * share, f"column name ({header!r}) and {shown}"
        return None
    if share >= detector.min_value_share:
        bonus = 0.1 if header else 0.0
        why = f"{shown}" + (f", column name ({header!r})" if header else "")
        return min(1.0, 0.5 + 0.4 * share + bonus), why
    if header and share >= HEADER_ONLY_MIN_SHARE:
        return 0.4 + 0.4 * share, f"column name ({header!r}) and {shown}"
    return None


def _stack(sample: pl.DataFrame) -> pl.DataFrame:
    """All cells of a sample as one long string column tagged with its column's index.

    Every detector then runs once over all columns (one vectorised pass per detector, not one
    per column and detector), which keeps wide tables cheap.
    """
    if sample.width == 0:
        return pl.DataFrame({"column": pl.Series([], dtype=pl.UInt32),
                             "value": pl.Series([], dtype=pl.String)})
    renamed = sample.select(pl.col(n).cast(pl.String, strict=False).alias(str(i))
                            for i, n in enumerate(sample.columns))
    stacked = renamed.unpivot(variable_name="column", value_name="value")
    value = pl.col("value").str.strip_chars()
    return (stacked.select(pl.col("column").cast(pl.UInt32), value.alias("value"))
            .filter(pl.col("value").is_not_null() & (pl.col("value") != "")))


def _per_column(stacked: pl.DataFrame, mask: pl.Series) -> dict[int, float]:
    """The mean of a boolean or numeric per-cell series, per column index."""
    frame = stacked.select("column", mask.alias("m")).group_by("column").agg(pl.col("m").mean())
    return dict(zip(frame["column"].to_list(), frame["m"].to_list(), strict=True))


def _share(mask: pl.Series) -> float:
    mean = mask.cast(pl.Float64).mean()
    return float(mean) if isinstance(mean, (int, float)) else 0.0


def _text_columns(stacked: pl.DataFrame) -> set[int]:
    """Columns to scan as free text: prose, or JSON lists of scalars (``["a@x.org"]``)."""
    values = stacked["value"]
    length = _per_column(stacked, values.str.len_chars().cast(pl.Float64))
    spaced = _per_column(stacked, values.str.contains(r"\s\S+\s"))
    json_list = _per_column(stacked, values.str.contains(r"^\[.*\]$"))
    return {c for c in length
            if (length[c] >= TEXT_MIN_MEAN_LENGTH and spaced[c] >= TEXT_MIN_SPACE_SHARE)
            or json_list[c] >= TEXT_MIN_SPACE_SHARE}


def plan_table(
    sample: pl.DataFrame,
    detectors: Sequence[Detector] | None = None,
    tabular: Sequence[TableDetector] | None = None,
    pool: Executor | None = None,
) -> TablePlan:
    """Classify the columns of a sample and decide what the full pass counts; a ``pool``
    checks the sample with several detectors at once (the phone and IBAN checks hold the
    interpreter lock in Python while the others run in Polars)."""
    detectors = list(value_detectors() if detectors is None else detectors)
    tabular = table_detectors() if tabular is None else tabular
    plan = TablePlan(all_columns=list(sample.columns))
    stacked = _stack(sample)
    counts = dict(stacked.group_by("column").len().iter_rows())

    def shares_of(detector: Detector) -> dict[int, float]:
        cells = stacked
        if detector.needs_context:  # values count only in columns its header words name
            named = [i for i, name in enumerate(sample.columns)
                     if name_matches(name, detector.header_words)
                     and not name_matches(name, detector.negative_header_words)]
            if not named:
                return {}
            cells = stacked.filter(pl.col("column").is_in(named))
        return _per_column(cells, detector.valid_cells(cells["value"]).fill_null(False))

    shares = list(pool.map(shares_of, detectors) if pool is not None
                  else map(shares_of, detectors))
    text_columns = _text_columns(stacked)
    for index, name in enumerate(sample.columns):
        if not counts.get(index):
            continue
        best: tuple[float, str, Detector] | None = None
        for detector, share in zip(detectors, shares, strict=True):
            scored = _score(detector, name, float(share.get(index) or 0.0), counts[index])
            if scored and (best is None or scored[0] > best[0]):
                best = (scored[0], scored[1], detector)
        if best:
            confidence, reason, detector = best
            cells = stacked.filter(pl.col("column") == index)["value"]
            plan.value_columns.append((ColumnClass(name, detector.category, detector.name,
                                                   round(confidence, 3), reason),
                                       detector.for_column(cells)))
        elif index in text_columns and sample[name].dtype == pl.String:
            plan.text_fields.append(name)
    categories = {c.field: c.category for c, _ in plan.value_columns}
    for table_detector in tabular:
        plan.table_matches.extend(table_detector.detect_table(sample, categories))
    plan.subject_key = _subject_key(sample.columns, categories)
    return plan


def _subject_key(columns: Sequence[str], categories: dict[str, str]) -> SubjectKey | None:
    for name in columns:
        word = name_matches(name, SUBJECT_KEY_WORDS)
        if word:
            return SubjectKey((name,), f"identifier column (name matches {word!r})")
    for category in SUBJECT_CATEGORY_ORDER:
        fields = tuple(name for name, found in categories.items() if found == category)
        if len(fields) == 1:
            return SubjectKey(fields, f"{category} column")
        if fields:
            return SubjectKey(fields, f"{category} columns, the first non-empty one per row")
    return None


def classify_sample(sample: pl.DataFrame) -> list[ColumnClass]:
    """The categories found in a sample's columns and column groups."""
    return plan_table(sample).classes
