"""Coordinate strings (precise and coarse) and latitude/longitude column pairs."""

from __future__ import annotations

import polars as pl
import pytest
from reference_cases import Score, unflagged, valid

from databorder.detect.geo import (
    CoarseLatLonStringDetector,
    CoordinatePairDetector,
    LatLonStringDetector,
)

precise = LatLonStringDetector()
coarse = CoarseLatLonStringDetector()
pairs = CoordinatePairDetector()


def _cells(*values: str | None) -> pl.Series:
    return pl.Series("c", values, dtype=pl.String)


@pytest.mark.parametrize("value", [
    "40.748817,-73.985428", "40.748817, -73.985428", "(40.7488, -73.9854)",
    "40.74113;-73.989656", '{"type":"Point","coordinates":[-73.985,40.748]}',
    "51 19m 12.9s N, 0 1m 24.95s E", "23 26' 22\" N 23 27' 30\" E",
])
def test_precise_strings(value: str) -> None:
    assert precise.valid_cells(_cells(value)).to_list() == [True]
    assert coarse.valid_cells(_cells(value)).to_list() == [False]


@pytest.mark.parametrize("value", [
    "41.5,-81.0", "40.75,-73.99", '{"type":"Point","coordinates":[-73.98,40.74]}',
])
def test_coarse_strings_go_to_the_coarse_detector(value: str) -> None:
    assert precise.valid_cells(_cells(value)).to_list() == [False]
    assert coarse.valid_cells(_cells(value)).to_list() == [True]


@pytest.mark.parametrize("value", [
    "95.1234, 185.1234", "0.000,0.000", "12,34", "gibberish", "1.2.3", "",
])
def test_not_coordinates(value: str) -> None:
    assert precise.valid_cells(_cells(value)).to_list() == [False]
    assert coarse.valid_cells(_cells(value)).to_list() == [False]


def test_normalize_and_mask() -> None:
    cells = _cells("40.748817,-73.985428", "(40.748817, -73.985428)", "+40.748817 -73.985428")
    assert precise.normalize_cells(cells).unique().to_list() == ["40.748817,-73.985428"]
    assert precise.normalize('{"type":"Point","coordinates":[-73.985,40.748]}') == \
        "40.748,-73.985"
    assert precise.mask("40.748817,-73.985428") == "40.7,-74.0"


def test_text_needs_a_comma_for_plain_decimals() -> None:
    assert [v for _, _, v in precise.find_in_text("met at 40.748817, -73.985428 today")] == [
        "40.748817, -73.985428"]
    assert precise.find_in_text("versions 1.234 5.678") == []


def _row_found(row: dict[str, str]) -> int:
    value = row["value_or_text"]
    if row["kind"] == "value":
        return int(valid(precise, value))
    return len(precise.find_in_text(value))


def test_reference_cases_precision_and_recall() -> None:
    score = Score.over(unflagged("precise_geolocation"), _row_found)
    assert score.precision >= 0.98
    assert score.recall >= 0.97


def _categories(frame: pl.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.category, m.fields) for m in pairs.detect_table(frame, {})]


def test_precise_pair_with_key() -> None:
    frame = pl.DataFrame({"trip_id": [1, 2, 3], "pickup_lat": [40.748817, 40.7411, 51.5072],
                          "pickup_lng": [-73.985428, -73.9897, -0.1276]})
    [match] = pairs.detect_table(frame, {})
    assert (match.category, match.fields) == ("precise_geolocation", ("pickup_lat", "pickup_lng"))
    assert match.key is not None
    assert frame.select(match.key.alias("k"))["k"].to_list()[0] == "40.748817,-73.985428"
    assert match.masked_samples[0] == "40.7,-74.0"


def test_coarse_pair_and_dotted_paths() -> None:
    frame = pl.DataFrame({"geo.lat": [41.5, 40.7, 52.5], "geo.lon": [-81.0, -74.0, 13.4]})
    assert _categories(frame) == [("coarse_geolocation", ("geo.lat", "geo.lon"))]


def test_swapped_column_order_and_languages() -> None:
    frame = pl.DataFrame({"经度": ["116.397128", "121.473701"], "纬度": ["39.916527", "31.230416"]})
    assert _categories(frame) == [("precise_geolocation", ("纬度", "经度"))]


def test_out_of_range_and_unrelated_numbers_are_not_geo() -> None:
    out_of_range = pl.DataFrame({"lat": [140.123, 400.456], "lon": [500.123, 300.456]})
    assert _categories(out_of_range) == []
    not_geo = pl.DataFrame({"id": [1, 2, 3], "price": [19.999, 5.125, 7.333]})
    assert _categories(not_geo) == []


@pytest.mark.parametrize("cell", ["88.000000,88.000000", "-5.000,30.0000", "(14.000, 14.000)"])
def test_pairs_of_padded_integers_are_no_position(cell: str) -> None:
    """Zeek writes TTLs as ``88.000000``: three or more decimals, all zero, on both numbers
    are padding, not a measured position; one real decimal on either keeps the pair."""
    for detector in (precise, coarse):
        assert not detector.validate(cell)
        assert detector.valid_cells(_cells(cell)).to_list() == [False]
        assert detector.find_in_text(f"TTLs {cell} F") == []
    assert precise.validate("35.000000,139.691706")
    assert coarse.validate("41.0,-81.0")
