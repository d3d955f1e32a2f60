"""IMEI, IMEISV, advertising ID and Android ID detectors."""

from __future__ import annotations

import polars as pl
import pytest
from reference_cases import Score, unflagged, valid

from databorder.detect.columns import plan_table
from databorder.detect.device import (
    AdvertisingIdDetector,
    AndroidIdDetector,
    ImeiDetector,
    ImeiSvDetector,
)
from databorder.detect.payment import PaymentCardDetector

IMEI = ImeiDetector()
IMEISV = ImeiSvDetector()
AD_ID = AdvertisingIdDetector()
ANDROID_ID = AndroidIdDetector()


# --- IMEI --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "354178036859789", "35-417803-685978-9", "350077-52-323751-3", "35 209900 176148 1",
    "35686800-004141-8", "862536030196000", " 490154203237518 ",
])
def test_imei_valid(cell: str) -> None:
    assert valid(IMEI, cell)
    assert IMEI.validate(cell)


@pytest.mark.parametrize("cell,why", [
    ("354178036859786", "bad check digit"),
    ("378282246310005", "Luhn-valid Amex test card: 37 is no reporting body"),
    ("371449635398431", "Amex"),
    ("000000000000000", "filler"),
    ("123456789012346", "12 is no reporting body"),
    ("35417803685978", "14 digits: no check digit"),
    ("3541780368597890", "16 digits"),
    ("35-4178-0368-5978-9", "wrong grouping"),
    ("35417803685978a", "letter"),
])
def test_imei_invalid(cell: str, why: str) -> None:
    assert not valid(IMEI, cell), why
    assert not IMEI.validate(cell), why


def test_imei_and_amex_are_told_apart() -> None:
    card = PaymentCardDetector()
    amex, imei = "378282246310005", "354178036859789"
    assert card.validate(amex) and not IMEI.validate(amex)
    assert IMEI.validate(imei) and not card.validate(imei)


@pytest.mark.parametrize("text,found", [
    ("IMEI: 35-209900-176148-1 on file", ["35-209900-176148-1"]),
    ("imei=354178036859789.", ["354178036859789"]),
    ("order 354178036859786 shipped", []),
    ("card 378282246310005", []),
    ("long 3541780368597891234", []),
])
def test_imei_in_text(text: str, found: list[str]) -> None:
    assert [value for _, _, value in IMEI.find_in_text(text)] == found


def test_imei_normal_form_and_mask() -> None:
    spellings = ["35-417803-685978-9", "354178036859789", "35417803 685978 9"]
    assert set(IMEI.normalize_cells(pl.Series(spellings)).to_list()) == {"354178036859789"}
    assert IMEI.mask("35-417803-685978-9") == "35-417803-******-*"
    assert "685978" not in IMEI.mask("354178036859789")
    assert IMEI.kind("354178036859789") == "imei"


def test_imei_column_without_header_needs_most_values_valid() -> None:
    assert IMEI.min_value_share >= 0.8
    imeis = ["354178036859789", "352099001761481", "490154203237518", "862536030196000"]
    plan = plan_table(pl.DataFrame({"handset": imeis, "imei": imeis}),
                      detectors=[IMEI], tabular=[])
    assert {c.field for c in plan.classes} == {"handset", "imei"}
    assert next(c for c in plan.classes if c.field == "imei").confidence == 1.0


# --- IMEISV ------------------------------------------------------------------------------------

def test_imeisv_needs_context_and_merges_with_its_imei() -> None:
    assert IMEISV.needs_context
    cells = ["35-209900-176148-23", "3568680000414120", "35686800-004141-20",
             "3520990017614899", "4111111111111111", "352099001761481"]
    assert IMEISV.valid_cells(pl.Series(cells)).to_list() == [True, True, True, False, False,
                                                              False]
    assert IMEISV.normalize("35-209900-176148-23") == IMEI.normalize("35-209900-176148-1")
    assert IMEISV.mask("35-209900-176148-23") == "35-209900-******-**"
    assert IMEISV.kind("3568680000414120") == "imeisv"


def test_imeisv_column_needs_an_imei_name() -> None:
    svs = ["3520990017614823", "3568680000414120"]
    plan = plan_table(pl.DataFrame({"imei_sv": svs, "code": svs}), detectors=[IMEISV],
                      tabular=[])
    assert [c.field for c in plan.classes] == ["imei_sv"]


# --- Advertising IDs and Android IDs -----------------------------------------------------------

@pytest.mark.parametrize("cell,ok", [
    ("6D92078A-8246-4BA4-AE5B-76104861E7DC", True),
    ("38400000-8cf0-11bd-b23e-10b96e40000d", True),
    ("00000000-0000-0000-0000-000000000000", False),
    ("6D92078A82464BA4AE5B76104861E7DC", False),
    ("6D92078A-8246-4BA4-AE5B-76104861E7D", False),
])
def test_advertising_id_cells(cell: str, ok: bool) -> None:
    assert valid(AD_ID, cell) is ok
    assert AD_ID.validate(cell) is ok


def test_advertising_id_needs_context_and_masks() -> None:
    assert AD_ID.needs_context
    value = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
    assert AD_ID.mask(value) == "6D92****-****-****-****-************"
    assert AD_ID.normalize_cells(pl.Series([value, value.lower()])).n_unique() == 1
    plan = plan_table(pl.DataFrame({"idfa": [value], "request_id": [value]}),
                      detectors=[AD_ID], tabular=[])
    assert [c.field for c in plan.classes] == ["idfa"]
    assert AD_ID.kind(value) == "idfa/gaid"


def test_advertising_id_in_text() -> None:
    text = ("adid=38400000-8cf0-11bd-b23e-10b96e40000d&lat=0 "
            "gaid 00000000-0000-0000-0000-000000000000")
    assert [v for _, _, v in AD_ID.find_in_text(text)] == ["38400000-8cf0-11bd-b23e-10b96e40000d"]


@pytest.mark.parametrize("cell,ok", [
    ("a1b2c3d4e5f60718", True), ("A1B2C3D4E5F60718", True), ("9774d56d682e549c", False),
    ("0000000000000000", False), ("a1b2c3d4e5f6071", False), ("a1b2c3d4e5f60718a", False),
    ("g1b2c3d4e5f60718", False),
])
def test_android_id_cells(cell: str, ok: bool) -> None:
    assert valid(ANDROID_ID, cell) is ok
    assert ANDROID_ID.validate(cell) is ok


def test_android_id_context_normal_form_and_mask() -> None:
    assert ANDROID_ID.needs_context
    assert ANDROID_ID.normalize_cells(pl.Series(["A1B2C3D4E5F60718", "a1b2c3d4e5f60718"])
                                      ).n_unique() == 1
    assert ANDROID_ID.mask("a1b2c3d4e5f60718") == "a1b2************"
    assert ANDROID_ID.kind("a1b2c3d4e5f60718") == "android_id"


# --- Reference cases ---------------------------------------------------------------------------

def _imei_found(row: dict[str, str]) -> int:
    assert row["kind"] == "value" and int(row["expected_matches"]) <= 1
    return int(valid(IMEI, row["value_or_text"].strip()))


def test_reference_cases() -> None:
    cases = unflagged("device_id")
    assert len(cases) >= 5
    score = Score.over(cases, _imei_found)
    assert score.precision >= 0.98
    assert score.recall >= 0.97


def test_imeisv_cells_agree_with_the_scalar_check() -> None:
    """The vectorised read (NumPy over the digits) against :meth:`validate`, on grouped,
    padded, filler, version-99, short and long cells."""
    cells = ["3568680000414120", "35-686800-004141-20", "35686800 004141 20", " 3568680000414120 ",
             "3568680000414199", "0000000000000000", "1111111111111111", "01-234567-890123-45",
             "0123456789012345", "3468680000414120", "356868000041412", "35686800004141201",
             "+3568680000414120", "35-686800-004141-2x", "35 686800 004141 20"]
    values = pl.Series(cells)
    assert IMEISV.valid_cells(values).to_list() == [IMEISV.validate(c) for c in cells]
    assert sum(IMEISV.valid_cells(values).to_list()) == 7
