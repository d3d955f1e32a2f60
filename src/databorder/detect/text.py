"""Free-text scanning: values embedded in prose, log lines and text columns.

A cheap vectorised prefilter (each detector's Rust ``prefilter`` regex over a whole Polars
column) picks the rows that may hold a value; only those rows get the Python pass with the
detector's full ``text_pattern`` and validator. Detectors that need context fire only when one
of their context words is near the match. Overlapping matches are resolved in favour of the
detector with the stronger check (checksums beat shapes), then the longer span.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import polars as pl

from .base import Detector
from .context import words_near
from .registry import value_detectors

# Detectors whose values carry a checksum or strict structure win overlaps.
_PRIORITY = {
    "payment_card": 0, "bank_account": 1, "government_id": 2, "device_id": 3, "email": 4,
    "mac_address": 5, "ip_address": 6, "precise_geolocation": 7, "coarse_geolocation": 8,
    "genomic": 9, "phone": 10,
}


@dataclass(frozen=True, slots=True)
class TextMatch:
    category: str
    detector: str
    start: int
    end: int
    masked: str
    normalized: str
    """Canonical value, kept in memory for distinct counting only; never written out."""


def _matches(text: str, detector: Detector) -> Iterator[TextMatch]:
    for start, end, value in detector.find_in_text(text):
        if (detector.needs_context and detector.context_words
                and not words_near(text, start, end, detector.context_words)):
            continue
        yield TextMatch(detector.category, detector.name, start, end, detector.mask(value),
                        detector.normalize(value))


def _resolve(found: list[TextMatch]) -> list[TextMatch]:
    ranked = sorted(found, key=lambda m: (_PRIORITY.get(m.category, 50), m.start - m.end))
    kept: list[TextMatch] = []
    for match in ranked:
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def find_in_text(text: str, detectors: Sequence[Detector] | None = None) -> list[TextMatch]:
    """Every valid value in ``text``, overlaps resolved."""
    detectors = value_detectors() if detectors is None else detectors
    found = [m for d in detectors if d.text_pattern for m in _matches(text, d)]
    return _resolve(found)


def scan_text_column(
    texts: pl.Series, detectors: Sequence[Detector] | None = None
) -> list[tuple[int, list[TextMatch]]]:
    """``(row index, matches)`` for the rows of a string column that hold any value."""
    detectors = value_detectors() if detectors is None else detectors
    active = [d for d in detectors if d.text_pattern]
    if texts.len() == 0 or not active:
        return []
    frame = texts.rename("t").to_frame()
    masks = frame.select(
        pl.col("t").str.contains(d.prefilter or d.cell_pattern).fill_null(False).alias(str(i))
        for i, d in enumerate(active)
    )
    candidate_rows: dict[int, list[Detector]] = {}
    for i, detector in enumerate(active):
        for row in masks[str(i)].arg_true().to_list():
            candidate_rows.setdefault(row, []).append(detector)
    results = []
    for row in sorted(candidate_rows):
        text = texts[row]
        found = [m for d in candidate_rows[row] for m in _matches(text, d)]
        if found:
            results.append((row, _resolve(found)))
    return results
