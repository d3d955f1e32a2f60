"""Vectorised helpers: Luhn in Polars and the NumPy byte filters over Arrow buffers."""

import csv
import random
import re

import numpy as np
import polars as pl
import pytest
from stdnum import luhn

from databorder.detect.base import Detector
from databorder.detect.registry import value_detectors
from databorder.detect.vectorized import (
    ASCII_LOWER,
    SeparatedDigits,
    digit_cells,
    has_byte_at_least,
    keep_bytes,
    lower_case,
    luhn_valid,
    luhn_valid_numbers,
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
               "6011000990139424", "9999999999999999995", "1234567812345670"]
    as_numbers = np.array([int(n) for n in numbers], dtype=np.uint64)
    assert luhn_valid_numbers(as_numbers).tolist() == [luhn.is_valid(n) for n in numbers]


def test_digit_cells_take_bare_ascii_digits_only() -> None:
    cells = ["0042", "+42", "-42", " 42", "42 ", "4_2", "١٢", "１２", "4e2", "", None,
             "9" * 19, "9" * 20, "0" * 25 + "7"]
    read = digit_cells(pl.Series(cells, dtype=pl.String))
    assert read.plain.tolist() == [c is not None and c.isascii() and c.isdigit()
                                   and len(c) <= 19 for c in cells]
    assert read.numbers[read.plain].tolist() == [42, int("9" * 19)]
    assert read.lengths[read.plain].tolist() == [4, 19]
    assert read.leading(2)[0] == 0  # "0042": its first two digits write 0


def test_separated_digits_read_grouped_cells_and_give_their_digits() -> None:
    values = pl.Series(["4111 1111 1111 1111", "4111111111111111", "41-11", "4111  1111",
                        None, "x"], dtype=pl.String)
    read = SeparatedDigits(values, r"^[0-9]{2,4}(?:[ -][0-9]{2,4})+$")
    assert read.shaped.tolist() == [True, True, True, False, False, False]
    assert read.cells.numbers[:3].tolist() == [4111111111111111, 4111111111111111, 4111]
    assert sorted(read.digits(read.shaped).to_list()) == sorted(
        ["4111111111111111", "4111111111111111", "4111"])



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
    steps on every reference value (normal forms in any order: they are only counted)."""
    values = pl.Series("cells", _reference_values(), dtype=pl.String)
    counted, normal = detector.count_and_normalize(values)
    expected = detector.count_cells(values)
    assert counted.to_list() == expected.to_list()
    assert sorted(normal.to_list()) == sorted(
        detector.normalize_cells(values.filter(expected)).to_list())


def _digit_look_alikes(seed: int, bodies: tuple[str, ...], length: int,
                       groupings: tuple[tuple[int, ...], ...]) -> list[str | None]:
    """Numbers of ``length`` digits after one of ``bodies``, most with a valid Luhn digit,
    written bare, grouped, signed, cut short or as fillers."""
    rng = random.Random(seed)
    values: list[str | None] = []
    for _ in range(20_000):
        body = rng.choice(bodies)
        body += "".join(rng.choice("0123456789") for _ in range(length - 1 - len(body)))
        number = body + (luhn.calc_check_digit(body) if rng.random() < 0.7
                         else rng.choice("0123456789"))
        roll = rng.random()
        if roll < 0.3:
            sizes, separator = rng.choice(groupings), rng.choice(" -")
            parts, start = [], 0
            for size in sizes:
                parts.append(number[start:start + size])
                start += size
            number = separator.join(parts)
        elif roll < 0.35:
            number = number[:-1]
        elif roll < 0.4:
            number = "+" + number
        elif roll < 0.45:
            number = rng.choice("0123456789") * length
        values.append(None if rng.random() < 0.02 else number)
    return values


@pytest.mark.parametrize(("name", "values"), [
    ("payment.card", _digit_look_alikes(1, ("4", "51", "37", "6011", "62", "2221", "35", "1"),
                                        16, ((4, 4, 4, 4), (4, 6, 6), (8, 8), (3, 13)))),
    ("device.imei", _digit_look_alikes(2, ("35", "86", "01", "34", "00"), 15,
                                       ((2, 6, 6, 1), (8, 6, 1), (6, 2, 6, 1), (5, 10)))),
])
def test_column_checks_agree_with_the_scalar_check(name: str, values: list[str | None]) -> None:
    """The NumPy full pass over numbers gives the cells and normal forms that the pattern
    and ``validate`` (stdnum) give one value at a time."""
    detector = next(d for d in value_detectors() if d.name == name)
    shape = re.compile(f"(?:{detector.cell_pattern})")
    expected = [v is not None and bool(shape.fullmatch(v)) and detector.validate(v)
                for v in values]
    counted, normal = detector.count_and_normalize(pl.Series(values, dtype=pl.String))
    assert sum(expected) > 2_000
    assert counted.to_list() == expected
    assert sorted(normal.to_list()) == sorted(
        detector.normalize(v) for v, ok in zip(values, expected, strict=True) if ok and v)


def test_lower_case_equals_polars_on_ascii_and_unicode_batches() -> None:
    batches = [["C0264244", None, "abc", "", "MiXeD@Example.COM"], ["already lower", None],
               ["ÉCOLE", "Straße", "İstanbul", "ABC"], [None, None], []]
    for batch in batches:
        values = pl.Series(batch, dtype=pl.String)
        assert lower_case(values).to_list() == values.str.to_lowercase().to_list(), batch
