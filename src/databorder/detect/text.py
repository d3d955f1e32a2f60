"""Free-text scanning: values embedded in prose, log lines and text columns.

Detectors that define ``text_extract`` (a Rust regex) are run over whole columns in Polars:
candidates are extracted, validated with ``valid_cells`` and blanked out. For the others, a
cheap vectorised prefilter (each detector's Rust ``prefilter`` regex over a whole Polars
column) picks the rows that may hold a value; only those rows get the Python pass with the
detector's full ``text_pattern`` and validator. Detectors that need context fire only when one
of their context words is near the match. Overlapping matches are resolved in favour of the
detector with the stronger check (checksums beat shapes), then the longer span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from .base import Detector
from .context import words_near
from .registry import value_detectors

# Detectors whose values carry a checksum or strict structure win overlaps: an IBAN (country,
# length, mod 97) and a Chinese resident ID (region, birth date, ISO 7064) are stronger
# evidence than a Luhn check, which one random digit string in ten passes.
_PRIORITY = {
    "bank_account": 0, "government_id": 1, "payment_card": 2, "device_id": 3, "email": 4,
    "mac_address": 5, "ip_address": 6, "precise_geolocation": 7, "coarse_geolocation": 8,
    "genomic": 9, "phone": 10,
}


@dataclass(frozen=True, slots=True)
class TextMatch:
    category: str
    detector: str
    start: int
    end: int
    normalized: str
    """Canonical value, kept in memory for distinct counting only; never written out."""
    value: str = field(repr=False)
    """The raw value: in memory only, for :attr:`masked`; never written out."""
    finder: Detector = field(repr=False, compare=False)

    @property
    def masked(self) -> str:
        """Masked lazily: a scan needs masks for a few samples, not for every match."""
        return self.finder.mask(self.value)


def _matches(text: str, detector: Detector) -> Iterator[TextMatch]:
    for start, end, value in detector.find_in_text(text):
        if (detector.needs_context and detector.context_words
                and not words_near(text, start, end, detector.context_words)):
            continue
        yield TextMatch(detector.category, detector.name, start, end,
                        detector.normalize(value), value, detector)


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


@dataclass(slots=True)
class TextTally:
    """What one category adds up to in a text column."""

    row_parts: list[npt.NDArray[np.int64]] = field(default_factory=list)
    """Indices of the rows holding a value, in parts (repeats allowed) until
    :func:`tally_text_column` returns; then one sorted array of distinct rows."""
    normalized: list[pl.Series] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    detectors: set[str] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return sum(part.size for part in self.row_parts)

    @property
    def rows(self) -> set[int]:
        return {row for part in self.row_parts for row in part.tolist()}

    def values(self) -> pl.Series:
        return pl.concat(self.normalized) if self.normalized else pl.Series([], dtype=pl.String)

    def settle(self, inverse: npt.NDArray[np.int64] | None) -> None:
        """The rows as one sorted array of distinct rows; with ``inverse`` (each row's index
        among the distinct texts the parts index), the rows of the column those texts are."""
        self.row_parts = [_rows_holding(self.row_parts, inverse)]


def _rows_holding(parts: list[npt.NDArray[np.int64]],
                  inverse: npt.NDArray[np.int64] | None) -> npt.NDArray[np.int64]:
    """The distinct rows of ``parts``, sorted; with ``inverse``, the rows whose text (their
    index in ``inverse``) is one of them."""
    rows = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    # a mask, not np.unique: row numbers are bounded, and sorting them cost 50 ms a frame
    size = max(int(rows.max(initial=-1)), -1 if inverse is None else int(inverse.max(initial=-1)))
    held = np.zeros(size + 1, dtype=np.bool_)
    held[rows] = True
    return np.flatnonzero(held if inverse is None else held[inverse]).astype(np.int64, copy=False)


def _extract_vectorised(
    working: pl.Series, detector: Detector, tallies: dict[str, TextTally], samples: int
) -> pl.Series:
    """Count ``detector``'s values in a whole column; return the column with them blanked.

    Only valid values are blanked, so a candidate this detector rejects stays for the others.
    """
    frame = working.rename("t").to_frame().with_row_index("row")
    if detector.text_rows:
        frame = frame.filter(_prefiltered(detector, pl.col("t"), detector.text_rows)
                             .fill_null(False))
    candidates = (frame.select("row", pl.col("t").str.extract_all(detector.text_extract)
                               .alias("c")).explode("c").drop_nulls("c"))
    if candidates.height == 0:
        return working
    valid, normalized = detector.valid_found(candidates["c"])
    hits = candidates.filter(valid)
    if hits.height == 0:
        return working
    tally = tallies.setdefault(detector.category, TextTally())
    tally.row_parts.append(hits["row"].to_numpy().astype(np.int64))
    distinct = hits["c"].unique(maintain_order=True)
    # the scalar normal form, as the Python pass gives it (E.164 for phones)
    tally.normalized.append(normalized)
    tally.masked.extend(detector.mask(v) for v in distinct.head(samples).to_list())
    tally.detectors.add(detector.name)
    return _blank_hits(working, detector.text_extract, candidates, hits)


def _blank_hits(working: pl.Series, pattern: str, candidates: pl.DataFrame,
                hits: pl.DataFrame) -> pl.Series:
    """``working`` with the valid candidates of each row replaced by a space.

    In a row whose candidates are all valid, every match of ``pattern`` is one of them, so one
    vectorised ``replace_all`` over those rows blanks them (a ``replace_many`` of all distinct
    hits builds an automaton of thousands of patterns per batch, ten times slower). Rows that
    also hold rejected candidates keep those: their valid values are replaced one by one.
    """
    counts = (candidates.group_by("row").len("candidates")
              .join(hits.group_by("row").len("valid"), on="row", how="inner"))
    whole = counts.filter(pl.col("candidates") == pl.col("valid"))["row"]
    blanked = working.clone()
    if whole.len():
        blanked.scatter(whole, working.gather(whole).str.replace_all(pattern, " "))
    mixed = counts.filter(pl.col("candidates") != pl.col("valid"))["row"]
    if mixed.len():
        values: dict[int, list[str]] = {}
        for row, value in hits.filter(pl.col("row").is_in(mixed.implode())).iter_rows():
            values.setdefault(row, []).append(value)
        texts = working.gather(mixed).to_list()
        replaced = []
        for row, text in zip(mixed.to_list(), texts, strict=True):
            for value in sorted(set(values[row]), key=len, reverse=True):
                text = text.replace(value, " ")
            replaced.append(text)
        blanked.scatter(mixed, pl.Series(replaced, dtype=pl.String))
    return blanked


def tally_text_column(
    texts: pl.Series, detectors: Sequence[Detector] | None = None, samples: int = 3,
    deduplicate: bool = False,
) -> dict[str, TextTally]:
    """Per category: rows holding a value, normalised values and masked samples.

    Detectors with a vectorised ``text_extract`` run first, strongest check first, and blank
    what they found so that weaker detectors do not claim parts of it; the rest take the
    prefiltered Python path, with overlaps resolved per row.

    ``deduplicate`` scans each distinct text once (templated notes and log lines repeat) and
    gives the same rows, distinct values and samples as the scan of every row; a value found
    in a repeated text is listed once in :attr:`TextTally.normalized`, which only distinct
    counts read.
    """
    detectors = value_detectors() if detectors is None else detectors
    inverse: npt.NDArray[np.int64] | None = None
    if deduplicate:
        texts, inverse = distinct_texts(texts)
    tallies: dict[str, TextTally] = {}
    working = texts
    for detector in sorted((d for d in detectors if d.text_extract),
                           key=lambda d: _PRIORITY.get(d.category, 50)):
        working = _extract_vectorised(working, detector, tallies, samples)
    # templated texts that differed only in the values just blanked are now equal again:
    # the Python pass, with one regex pass per detector, takes each of them once
    again: npt.NDArray[np.int64] | None = None
    if deduplicate:
        working, again = distinct_texts(working)
    per_category: dict[str, list[tuple[int, TextMatch]]] = {}
    for row, matches in _python_pass(working, [d for d in detectors if d.text_pattern]):
        for match in matches:
            per_category.setdefault(match.category, []).append((row, match))
    for category, found in per_category.items():
        tally = tallies.setdefault(category, TextTally())
        tally.row_parts.append(_rows_holding(
            [np.fromiter((row for row, _ in found), dtype=np.int64)], again))
        tally.normalized.append(pl.Series([m.normalized for _, m in found], dtype=pl.String))
        in_column = again if inverse is None or again is None else again[inverse]
        tally.masked.extend(m.masked for m in _first_matches(found, in_column, samples))
        tally.detectors.update(m.detector for _, m in found)
    for tally in tallies.values():
        tally.settle(inverse)
    return tallies


def distinct_texts(texts: pl.Series) -> tuple[pl.Series, npt.NDArray[np.int64]]:
    """The distinct texts in order of first occurrence, and each row's index among them.

    Grouped by 64-bit hash (Polars' ``unique`` and a join on the hashes, cheaper than a join
    of the strings or NumPy's sorting ``unique``); the grouping is then checked against the
    texts themselves, and a hash collision (never seen, but possible) falls back to one
    group per row.
    """
    rows = pl.DataFrame({"hash": texts.hash(seed=0x7E47)}).with_row_index("row")
    firsts = rows.unique("hash", keep="first", maintain_order=True).with_row_index("text")
    inverse = (rows.join(firsts.select("hash", "text"), on="hash", how="left",
                         maintain_order="left")["text"].to_numpy().astype(np.int64))
    distinct = texts.gather(firsts["row"])
    if not distinct.gather(inverse).eq_missing(texts).all():
        return texts, np.arange(texts.len(), dtype=np.int64)
    return distinct, inverse


def _first_matches(found: list[tuple[int, TextMatch]], inverse: npt.NDArray[np.int64] | None,
                   count: int) -> list[TextMatch]:
    """The first ``count`` matches in row order, repeats of a text included (samples)."""
    if inverse is None:
        return [m for _, m in found[:count]]
    by_text: dict[int, list[TextMatch]] = {}
    for row, match in found:
        by_text.setdefault(row, []).append(match)
    wanted = np.zeros(int(inverse.max()) + 1, dtype=np.bool_)
    wanted[list(by_text)] = True
    first: list[TextMatch] = []
    for text in inverse[wanted[inverse]].tolist():
        first.extend(by_text[text])
        if len(first) >= count:
            break
    return first[:count]


def _candidate_rows(detector: Detector) -> pl.Expr:
    """Rows worth the Python pass: the prefilter matches and, for a detector that needs
    context, one of its context words occurs somewhere in the row (the reference form of
    what :func:`_python_pass` computes in two steps)."""
    text = pl.col("t")
    wanted = _prefiltered(detector, text)
    if detector.needs_context and detector.context_words:
        wanted = wanted & text.str.contains(_context_pattern(detector))
    return wanted.fill_null(False)


def _prefiltered(detector: Detector, text: pl.Expr, prefilter: str | None = None) -> pl.Expr:
    """``prefilter`` (the detector's own by default) over ``text`` with the spans its
    ``prefilter_ignores`` names blanked first."""
    if detector.prefilter_ignores:
        text = text.str.replace_all(detector.prefilter_ignores, " ")
    return text.str.contains(prefilter or detector.prefilter or detector.cell_pattern)


def _context_pattern(detector: Detector) -> str:
    return "(?i)" + "|".join(re.escape(w) for w in detector.context_words)


def _candidate_flags(frame: pl.DataFrame, detectors: Sequence[Detector]) -> npt.NDArray[np.bool_]:
    """:func:`_candidate_rows` of each detector over the texts ``t`` of ``frame``, one column
    per detector; context words are looked for only in the rows the prefilter kept (the
    case-insensitive word lists cost more than the prefilters)."""
    text = pl.col("t")
    masks = frame.select(*(_prefiltered(d, text).fill_null(False).alias(str(i))
                           for i, d in enumerate(detectors)))
    flags = np.zeros((frame.height, len(detectors)), dtype=np.bool_)
    if masks.width:
        flags[:] = masks.to_numpy()
    for i, detector in enumerate(detectors):
        if detector.needs_context and detector.context_words and flags[:, i].any():
            kept = np.flatnonzero(flags[:, i])
            near = frame["t"].gather(kept).str.contains(_context_pattern(detector))
            flags[kept, i] = near.fill_null(False).to_numpy()
    return flags


_ESCAPE = re.compile(r"\\(.)")


def _without_word_boundaries(pattern: str) -> str:
    """``pattern`` without its word-boundary assertions (``\\b``, ``\\B``); an escaped
    backslash followed by ``b`` stays."""
    return _ESCAPE.sub(lambda m: "" if m.group(1) in "bB" else m.group(0), pattern)


FEW_ROWS = 64
"""Rows worth testing up to which every detector tries every row in Python: one regex pass
per prefilter costs about as much as 64 rows (Polars compiles each pattern again when more
than its cache of 32 are in use, and a text column uses more)."""


def _worth_testing(detectors: Sequence[Detector]) -> pl.Expr:
    """A superset of the rows :func:`_candidate_flags` keeps for some detector, in two
    regex passes: the prefilters of the detectors that need no context, without word
    boundaries (dropping an assertion only widens a regex; a Unicode ``\b`` keeps the Rust
    regex off its fast DFA, 60 ms against 10 per 65,536 rows of prose), and the context words
    of the others (their loose prefilters, two digits for an account number, would keep
    almost every row of prose with a number in it)."""
    text = pl.col("t")
    alone = [d for d in detectors if not (d.needs_context and d.context_words)]
    words = sorted({w for d in detectors if d.needs_context for w in d.context_words})
    wanted = pl.lit(False)
    plain = [d for d in alone if not d.prefilter_ignores]
    if plain:
        wanted = text.str.contains("|".join(
            _without_word_boundaries(f"(?:{d.prefilter or d.cell_pattern})") for d in plain))
    for detector in alone:
        if detector.prefilter_ignores:
            wanted = wanted | _prefiltered(detector, text, _without_word_boundaries(
                detector.prefilter or detector.cell_pattern))
    if words:
        wanted = wanted | text.str.contains("(?i)" + "|".join(re.escape(w) for w in words))
    return wanted


def _python_pass(
    texts: pl.Series, detectors: Sequence[Detector]
) -> list[tuple[int, list[TextMatch]]]:
    """``(row index, matches)`` for the rows of a string column that hold any value."""
    if texts.len() == 0 or not detectors:
        return []
    frame = (texts.rename("t").to_frame().with_row_index("row")
             .filter(_worth_testing(detectors).fill_null(False)))
    if frame.height == 0:
        return []
    rows = frame["row"].to_numpy()
    candidate_rows: dict[int, list[Detector]] = {}
    if frame.height <= FEW_ROWS:
        # each prefilter is a superset of its detector's matches: the flags only spare work
        candidate_rows = {row: list(detectors) for row in rows.tolist()}
    else:
        flags = _candidate_flags(frame, detectors)
        for i, detector in enumerate(detectors):
            for row in rows[flags[:, i]].tolist():
                candidate_rows.setdefault(row, []).append(detector)
    results = []
    for row in sorted(candidate_rows):
        text = texts[row]
        found = [m for d in candidate_rows[row] for m in _matches(text, d)]
        if found:
            results.append((row, _resolve(found)))
    return results
