"""The two kinds of detector and the hooks each one offers.

A :class:`Detector` recognises one category in single values: a whole cell of a column, or a
span inside free text. It supplies

- ``cell_pattern``: a regular expression in the Rust ``regex`` dialect (no look-around), which
  the caller anchors to the whole stripped cell and runs vectorised over a Polars column;
- ``text_pattern``: a Python ``re`` expression (look-around allowed) that finds candidates in
  free text; ``prefilter`` is a cheap Rust regex that every text holding a candidate matches,
  used to pick the rows worth a Python pass;
- ``validate`` (checksums, ranges), ``normalize`` (the canonical form distinct counts are taken
  over) and ``mask`` (the only form of a value that may leave the detector);
- ``count_cells``: the check the full pass over a classified column applies (by default
  ``valid_cells``; a vectorised subset where validation needs Python per value);
- ``header_words``: words in column names, in several languages, that point to the category;
  ``context_words``: words near a match in free text that raise confidence. A detector with
  ``needs_context`` fires only with that evidence (values alone are not enough).

The vectorised entry points ``valid_cells`` and ``normalize_cells`` have default
implementations on top of the scalar hooks (run once per distinct candidate); detectors whose
validation can be written as Polars expressions override them for speed.

A :class:`TableDetector` looks at a whole table sample and finds categories that live in a
combination of columns (latitude/longitude pairs, payment records).

Every concrete subclass defined in a module of this package is discovered by
:mod:`databorder.detect.registry`; nothing needs registering by hand.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import polars as pl


class Detector(ABC):
    """Recognises one category in single values."""

    category: ClassVar[str]
    name: ClassVar[str]
    """Dotted id, unique across detectors, for example ``payment.card``."""
    header_words: ClassVar[tuple[str, ...]] = ()
    """Lower-case words or word groups (``card_number``) or CJK fragments found in column names."""
    negative_header_words: ClassVar[tuple[str, ...]] = ()
    """Column-name words that rule the category out (``version`` for ip_address)."""
    context_words: ClassVar[tuple[str, ...]] = ()
    """Words near a match in free text that raise confidence."""
    needs_context: ClassVar[bool] = False
    """True when values alone do not decide: a header or context word is required."""
    cell_pattern: ClassVar[str] = ""
    text_pattern: ClassVar[str] = ""
    prefilter: ClassVar[str] = ""
    prefilter_ignores: ClassVar[str] = ""
    """Optional Rust regex of spans that no value is taken from (a phone's dates): they are
    blanked before ``prefilter`` picks the rows worth a Python pass and ``text_rows`` the rows
    worth ``text_extract``."""
    text_extract: ClassVar[str] = ""
    """Optional Rust regex whose matches in text are candidates for ``valid_cells``: when set,
    text columns are scanned for this detector in Polars instead of with ``text_pattern``."""
    text_rows: ClassVar[str] = ""
    """Optional Rust regex that every text holding a valid value matches (a cheap superset):
    texts that do not match it are not searched with ``text_extract``."""
    min_value_share: ClassVar[float] = 0.6
    """Share of sampled non-empty cells that must be valid for a column without a header hint."""

    @cached_property
    def text_regex(self) -> re.Pattern[str]:
        return re.compile(self.text_pattern)

    def validate(self, candidate: str) -> bool:
        """Check digits, ranges and other tests beyond the pattern; ``candidate`` is stripped."""
        return True

    def normalize(self, candidate: str) -> str:
        """Canonical form, so that one value written two ways is counted once."""
        return candidate

    @abstractmethod
    def mask(self, candidate: str) -> str:
        """A masked form safe for reports: never enough to recover the value."""

    def kind(self, candidate: str) -> str | None:
        """An optional sub-kind shown in reports (``public``/``private``, ``visa``, ``iban``)."""
        return None

    def valid_cells(self, values: pl.Series) -> pl.Series:
        """Boolean mask: which cells of a string column hold exactly one valid value."""
        stripped = values.str.strip_chars()
        shaped = self.shaped_cells(stripped)
        candidates = stripped.filter(shaped).unique()
        if candidates.len() == 0:
            return shaped
        valid = [c for c in candidates.to_list() if self.validate(c)]
        return shaped & stripped.is_in(pl.Series(valid, dtype=pl.String).implode()).fill_null(False)

    def shaped_cells(self, stripped: pl.Series) -> pl.Series:
        """Which stripped cells :attr:`cell_pattern` matches whole (never null)."""
        return stripped.str.contains(f"^(?:{self.cell_pattern})$").fill_null(False)

    def for_column(self, cells: pl.Series) -> Detector:
        """This detector fitted to one column from the column's sampled cells (stripped, not
        empty): the column's full pass uses it. By default itself; the phone detector learns
        how the column writes its numbers."""
        return self

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The mask the full pass counts, over a column already classified from its sample.

        By default the full validation (:meth:`valid_cells`). A detector whose validation runs
        in Python per distinct value (phone numbers, IBAN national checks) returns a vectorised
        check here instead (shape, and every checksum that can be written as an expression),
        so that columns with millions of distinct values stream at Polars speed; its docstring
        says what the full pass checks.
        """
        return self.valid_cells(values)

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """:meth:`count_cells`, and :meth:`normalize_cells` of the counted cells (in any
        order: they are only counted): detectors whose check already makes the normal form
        (the digits of a card) return it."""
        counted = self.count_cells(values)
        return counted, self.normalize_cells(values.filter(counted))

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        """Vectorised :meth:`normalize` over cells the full pass counts."""
        stripped = values.str.strip_chars()
        uniques = stripped.unique().drop_nulls()
        mapping = {v: self.normalize(v) for v in uniques.to_list()}
        return stripped.replace_strict(mapping, default=None, return_dtype=pl.String)

    def valid_found(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """:meth:`valid_cells` of candidates found in text, and :meth:`normalize_found` of
        the valid ones, in order; a detector that gets both from one pass overrides it."""
        valid = self.valid_cells(values)
        return valid, self.normalize_found(values.filter(valid))

    def normalize_found(self, values: pl.Series) -> pl.Series:
        """:meth:`normalize` over values found in text (candidates :meth:`valid_cells` kept),
        once per distinct value; detectors whose normal form is vectorised override it."""
        mapping = {v: self.normalize(v) for v in values.unique().to_list()}
        return values.replace_strict(mapping, return_dtype=pl.String)

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, candidate)`` of valid values in free text.

        The value is the named group ``v`` of ``text_pattern`` when it has one, else the match.
        """
        group = "v" if "v" in self.text_regex.groupindex else 0
        found = []
        for match in self.text_regex.finditer(text):
            value = match.group(group)
            if value and self.validate(value):
                found.append((match.start(group), match.end(group), value))
        return found


@dataclass(frozen=True, slots=True)
class TableMatch:
    """A category found in a combination of columns of one table."""

    category: str
    fields: tuple[str, ...]
    confidence: float
    reason: str
    key: pl.Expr | None = None
    """Per-row string expression whose distinct values are counted (None: rows only)."""
    row_filter: pl.Expr | None = None
    """Boolean expression selecting the rows that hold the category (None: all non-null keys)."""
    masked_samples: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)


class TableDetector(ABC):
    """Finds categories that live in a combination of columns."""

    name: ClassVar[str]
    categories: ClassVar[tuple[str, ...]]

    @abstractmethod
    def detect_table(
        self, sample: pl.DataFrame, column_categories: Mapping[str, str]
    ) -> Sequence[TableMatch]:
        """Inspect a sample; ``column_categories`` maps already-classified columns to categories."""
