"""Government ID detectors: SSN, Chinese resident ID, passport; reference cases."""

from __future__ import annotations

import random

import polars as pl
import pytest
from reference_cases import Score, is_flagged, rows, scorable, unflagged, valid
from stdnum.cn import ric
from stdnum.us import ssn

from databorder.detect.base import Detector
from databorder.detect.identity import (
    CnResidentId15Detector,
    CnResidentIdDetector,
    PassportNumberDetector,
    UsSsnBareDetector,
    UsSsnDetector,
)

SSN = UsSsnDetector()
SSN_BARE = UsSsnBareDetector()
RIC = CnResidentIdDetector()
RIC15 = CnResidentId15Detector()
PASSPORT = PassportNumberDetector()
GOVERNMENT_ID: tuple[Detector, ...] = (SSN, SSN_BARE, RIC, RIC15)

GOVERNMENT_ID_EXCEPTIONS = {
    "500154199804106120": "stdnum: county 500154 (Kaizhou district) was created in 2016, after "
                          "the 1998 birth year; id-validator accepts it",
}


def _found(row: dict[str, str]) -> int:
    value = row["value_or_text"]
    if row["kind"] == "value":
        return int(any(valid(d, value) for d in GOVERNMENT_ID))
    return sum(len(d.find_in_text(value)) for d in (SSN, RIC))


def _scores(cases: list[dict[str, str]]) -> tuple[float, float, int]:
    score = Score.over(cases, _found)
    return score.precision, score.recall, len(cases)


# --- SSN ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["536-90-4399", "078-05-1123", "078.05.1123", "078 05 1123",
                                   "123-45-6789", " 219-09-9998 "])
def test_ssn_separated_valid(value: str) -> None:
    assert SSN.valid_cells(pl.Series([value])).item()


@pytest.mark.parametrize("value", ["078-05-1120", "000-12-3456", "666-12-3456", "900-12-3456",
                                   "123-00-4567", "123-45-0000", "693-09.4444", "1234-56-789",
                                   "123456789", "12-345-6789"])
def test_ssn_separated_invalid(value: str) -> None:
    assert not SSN.valid_cells(pl.Series([value])).item()


def test_bare_ssn_is_a_context_detector() -> None:
    assert SSN_BARE.needs_context and not SSN.needs_context
    cells = pl.Series(["111223333", "078051120", "666000000", "12345678", "1234567890"])
    assert SSN_BARE.valid_cells(cells).to_list() == [True, False, False, False, False]


def test_ssn_vectorised_validation_agrees_with_stdnum() -> None:
    rng = random.Random(7)
    areas = ["000", "666", "900", "078", "219", "457"]
    values = [
        rng.choice([*areas, f"{rng.randrange(1000):03d}"])
        + rng.choice(["00", "05", "09", "55", f"{rng.randrange(100):02d}"])
        + rng.choice(["0000", "1120", "9999", "5462", f"{rng.randrange(10000):04d}"])
        for _ in range(5000)
    ]
    got = SSN_BARE.valid_cells(pl.Series(values)).to_list()
    assert got == [ssn.is_valid(v) for v in values]
    assert 0 < sum(got) < len(got)


def test_ssn_text_mask_normalize() -> None:
    text = "SSN 536-90-4399, ref 2024-01-15, phone 415-555-0132"
    assert [v for _, _, v in SSN.find_in_text(text)] == ["536-90-4399"]
    assert [v for _, _, v in SSN_BARE.find_in_text("her ssn: 536904398.")] == ["536904398"]
    assert SSN_BARE.find_in_text("order 536904399 shipped to the customer") == []
    assert SSN.mask("536-90-4399") == "***-**-4399"
    assert SSN_BARE.mask("536904399") == "***-**-4399"
    cells = pl.Series(["536-90-4399", "536.90.4399", "536904399"])
    assert SSN.normalize_cells(cells).unique().to_list() == ["536904399"]
    assert SSN.kind("536-90-4399") == "us_ssn"


# --- Chinese resident ID -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["360426199101010071", "44011320141005001x",
                                   "11010519491231002X", "120110198012010073"])
def test_ric_valid(value: str) -> None:
    assert RIC.valid_cells(pl.Series([value])).item()


@pytest.mark.parametrize("value", ["360426199101010072", "990426199112010074",
                                   "360426199113010079", "110111198012010078",
                                   "T60426199101010078", "36042619910101007", "810000199408230021"])
def test_ric_invalid(value: str) -> None:
    assert not RIC.valid_cells(pl.Series([value])).item()


def test_ric_vectorised_validation_agrees_with_stdnum() -> None:
    rng = random.Random(11)
    regions = ["110105", "440308", "360426", "120110", "500154", "990426", "110111", "362324"]
    values = []
    for _ in range(3000):
        body = (rng.choice(regions) + f"{rng.randint(1940, 2020)}{rng.randint(1, 13):02d}"
                f"{rng.randint(1, 31):02d}{rng.randrange(1000):03d}")
        check = (ric.calc_check_digit(body + "0") if rng.random() < 0.8
                 else rng.choice("0123456789X"))
        values.append(body + check)
    got = RIC.valid_cells(pl.Series(values)).to_list()
    assert got == [ric.is_valid(v) for v in values]
    assert 0 < sum(got) < len(got)


def test_ric_mask_hides_birth_date() -> None:
    masked = RIC.mask("11010519491231002x")
    assert masked == "110105********002X"
    assert "1949" not in masked and "1231" not in masked
    assert RIC.kind("11010519491231002X") == "cn_ric"


def test_ric_text() -> None:
    text = "身份证号：11010519491231002X，电话 13812345678"
    assert [v for _, _, v in RIC.find_in_text(text)] == ["11010519491231002X"]


def test_first_generation_ric_needs_context_and_merges_with_18_digits() -> None:
    assert RIC15.needs_context
    assert RIC15.validate("110105491231002")
    assert not RIC15.validate("110105491331002")
    converted = RIC15.normalize("110105491231002")
    assert ric.is_valid(converted) and converted.startswith("11010519491231002")
    assert RIC15.mask("110105491231002") == "110105******002"
    assert RIC15.find_in_text("身份证 110105491231002") != []
    assert RIC15.find_in_text("tracking 110105491231002") == []


# --- passport ----------------------------------------------------------------------------------

def test_passport_shape_needs_context() -> None:
    assert PASSPORT.needs_context
    cells = pl.Series(["E12345678", "C01X00T47", "123456789", "ABCDEFG", "E1234", "E12-345"])
    assert PASSPORT.valid_cells(cells).to_list() == [True, True, True, False, False, False]
    assert PASSPORT.mask("E12345678") == "*******78"
    assert PASSPORT.normalize_cells(pl.Series(["e12345678"])).item() == "E12345678"
    assert [v for _, _, v in PASSPORT.find_in_text("Passport No. E12345678 issued")] == [
        "E12345678"]
    assert PASSPORT.find_in_text("Order E12345678 issued") == []


# --- reference cases ---------------------------------------------------------------------------

def test_reference_cases_unflagged() -> None:
    cases = [r for r in unflagged("government_id", GOVERNMENT_ID_EXCEPTIONS) if scorable(r)]
    precision, recall, count = _scores(cases)
    print(f"government_id unflagged: n={count} precision={precision:.3f} recall={recall:.3f}")
    assert count >= 30
    assert precision >= 0.98
    assert recall >= 0.97


def test_reference_cases_flagged_reported_apart() -> None:
    flagged = [r for r in rows("government_id") if scorable(r) and is_flagged(r)]
    precision, recall, count = _scores(flagged)
    print(f"government_id flagged: n={count} precision={precision:.3f} recall={recall:.3f}")
    assert count > 0


def test_exceptions_are_real_disagreements() -> None:
    by_value = {r["value_or_text"]: r for r in rows("government_id")}
    for value in GOVERNMENT_ID_EXCEPTIONS:
        assert _found(by_value[value]) != int(by_value[value]["expected_matches"])


def test_ric_check_in_numpy_agrees_with_the_expression_path() -> None:
    """A full-width digit sends the whole column down the Polars expression path: the ASCII
    cells get the same answers both ways, and those answers are stdnum's."""
    rng = random.Random(11)
    cells = []
    for _ in range(300):
        body = rng.choice(["110105", "440301", "310115"]) + rng.choice(
            ["19491231", "19800229", "20001301", "19990101"]) + f"{rng.randrange(1000):03d}"
        check = ric.calc_check_digit(body)
        wrong = "0" if check != "0" else "1"
        cells.extend([body + check, body + wrong, (body + check).lower()])
    ascii_only = RIC.valid_cells(pl.Series(cells)).to_list()
    mixed = RIC.valid_cells(pl.Series([*cells, "１１０１０５１９４９１２３１００２Ｘ"])).to_list()
    assert ascii_only == mixed[:-1]
    assert ascii_only == [bool(ric.is_valid(c.upper())) for c in cells]
    assert any(ascii_only) and not all(ascii_only)
