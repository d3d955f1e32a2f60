"""Vectorised helpers: Luhn in Polars and the NumPy byte filters over Arrow buffers."""

import csv

import polars as pl
import pytest
from stdnum import luhn

from databorder.detect.base import Detector
from databorder.detect.registry import value_detectors
from databorder.detect.vectorized import (
    ASCII_LOWER,
    has_byte_at_least,
    keep_bytes,
    luhn_valid,
    luhn_valid_cells,
    map_bytes,
    row_sums,
    string_bytes,
)


def test_luhn_matches_stdnum() -> None:
    numbers = ["4111111111111111", "4111111111111112", "79927398713", "0", "378282246310005"]
    got = pl.select(luhn_valid(pl.Series(numbers))).to_series().to_list()
    assert got == [luhn.is_valid(n) for n in numbers]


def test_string_bytes_of_a_slice_start_at_zero() -> None:
    values = pl.Series(["ab", None, "", "çd"]).slice(1, 3)
    offsets, data = string_bytes(values)
    assert offsets.tolist() == [0, 0, 0, 3]
    assert bytes(data) == "çd".encode()


def test_row_sums_handles_empty_rows_anywhere() -> None:
    values = pl.Series(["", "a1b2", "", "33", ""])
    offsets, data = string_bytes(values)
    digits = ((data >= ord("0")) & (data <= ord("9"))).view("uint8")
    assert row_sums(digits, offsets).tolist() == [0, 2, 0, 2, 0]


def test_keep_bytes_keeps_nulls_and_multibyte_text_whole() -> None:
    values = pl.Series("c", ["de89 3704-0044", None, "", "ü 1.2"])
    assert keep_bytes(values, b"0123456789").to_list() == ["8937040044", None, "", "12"]
    non_space = bytes(b for b in range(256) if b not in b" .-")
    kept = keep_bytes(values, non_space, upper=True)
    assert kept.to_list() == ["DE8937040044", None, "", "ü12"]
    assert kept.name == "c"


def test_map_bytes_lower_cases_ascii_only() -> None:
    values = pl.Series(["Alice@Example.COM", None, "ÜBER@X.DE"])
    assert map_bytes(values, ASCII_LOWER).to_list() == ["alice@example.com", None, "Über@x.de"]


def test_has_byte_at_least_spots_non_ascii() -> None:
    assert not has_byte_at_least(pl.Series(["abc", None]), 0x80)
    assert has_byte_at_least(pl.Series(["abc", "日本"]), 0x80)
    assert not has_byte_at_least(pl.Series([], dtype=pl.String), 0x80)


def test_numpy_luhn_matches_stdnum_on_every_length() -> None:
    numbers = ["0", "18", "79927398713", "4111111111111111", "4111111111111112",
               "6011000990139424", "9999999999999999995", "1234567812345670", "12a4", ""]
    values = pl.Series(numbers + [None], dtype=pl.String)
    expected = [n.isdigit() and luhn.is_valid(n) for n in numbers] + [False]
    assert luhn_valid_cells(values).to_list() == expected



def _reference_values() -> list[str]:
    """Every reference cell (values, and texts as whole cells), stripped, with look-alikes."""
    from reference_cases import CASES

    if not CASES.exists():
        pytest.skip(f"reference cases not found at {CASES}")
    with CASES.open(newline="", encoding="utf-8") as handle:
        cells = {row["value_or_text"].strip() for row in csv.DictReader(handle)}
    cells |= {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111112",
              "35-209900-176148-1", "352099001761481", "352099001761482", "", "x"}
    return sorted(c for c in cells if c)


@pytest.mark.parametrize("detector", value_detectors(), ids=lambda d: d.name)
def test_count_and_normalize_is_count_cells_then_normalize_cells(detector: Detector) -> None:
    """The full pass takes both at once; detectors that override it must agree with the two
    steps on every reference value."""
    values = pl.Series("cells", _reference_values(), dtype=pl.String)
    counted, normal = detector.count_and_normalize(values)
    expected = detector.count_cells(values)
    assert counted.to_list() == expected.to_list()
    assert normal.to_list() == detector.normalize_cells(values.filter(expected)).to_list()
