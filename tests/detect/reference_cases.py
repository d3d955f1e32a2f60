"""The shared labelled reference cases (shared/data/detect-cases/cases.csv) for detector tests.

Imported as ``from reference_cases import ...``: ``tests/detect`` has no ``__init__.py``, so
pytest puts this folder on ``sys.path``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from databorder.detect.base import Detector

CASES = Path(__file__).resolve().parents[3] / "shared" / "data" / "detect-cases" / "cases.csv"
# Rows whose note starts with one of these are reported apart from the unflagged ones.
FLAGS = ("AMBIGUOUS", "CONFLICT", "RELABELLED")


def rows(category: str) -> list[dict[str, str]]:
    """The reference rows of one category; skips the calling test when the file is absent."""
    if not CASES.exists():
        pytest.skip(f"reference cases not found at {CASES}")
    with CASES.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["category"] == category]


def is_flagged(row: dict[str, str]) -> bool:
    return row["note"].startswith(FLAGS)


def unflagged(category: str, exceptions: Collection[str] = ()) -> list[dict[str, str]]:
    """Unflagged rows of one category, minus those whose value our specification overrides."""
    return [row for row in rows(category)
            if not is_flagged(row) and row["value_or_text"] not in exceptions]


def scorable(row: dict[str, str]) -> bool:
    """False for a value row expecting several matches: one cell is one match at most."""
    return not (row["kind"] == "value" and int(row["expected_matches"]) > 1)


def valid(detector: Detector, cell: str) -> bool:
    """The detector's full-pass answer for one cell."""
    return bool(detector.valid_cells(pl.Series([cell], dtype=pl.String))[0])


@dataclass
class Score:
    """Matches counted against the expected counts: true and false positives, misses."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    rows: int = 0

    @classmethod
    def over(cls, rows: Iterable[dict[str, str]],
             found: Callable[[dict[str, str]], int | None]) -> Score:
        """Scores ``found(row)`` against each row's ``expected_matches``; None skips a row."""
        score = cls()
        for row in rows:
            got = found(row)
            if got is not None:
                score.add(int(row["expected_matches"]), got)
        return score

    def add(self, expected: int, found: int) -> None:
        self.tp += min(expected, found)
        self.fp += max(found - expected, 0)
        self.fn += max(expected - found, 0)
        self.rows += 1

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)
