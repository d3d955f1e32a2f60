"""Payment card detector: brands, shapes, masks and the shared reference cases."""

from __future__ import annotations

import polars as pl
import pytest
from reference_cases import Score, unflagged, valid

from databorder.detect.payment import _ISSUER_LENGTHS, PaymentCardDetector, card_brand

# Unflagged cases that our specification answers differently, with the reason.
EXCEPTIONS = {
    "my credit card: 122000000000003": "UATP (prefix 1) is outside the specified issuer ranges",
}

detector = PaymentCardDetector()


def _cells(*values: str | None) -> pl.Series:
    return pl.Series("card", values, dtype=pl.String)


@pytest.mark.parametrize(("value", "brand"), [
    ("4111111111111111", "visa"),
    ("4222222222222", "visa"),
    ("5555 5555 5555 4444", "mastercard"),
    ("2223000048400011", "mastercard"),
    ("3782-822463-10005", "amex"),
    ("6011111111111117", "discover"),
    ("3530111333300000", "jcb"),
    ("30569309025904", "diners"),
    ("6200000000000005", "unionpay"),
    ("6759649826438453", "maestro"),
    ("2200000000000004", "mir"),
])
def test_valid_cards_and_brands(value: str, brand: str) -> None:
    assert detector.valid_cells(_cells(value)).to_list() == [True]
    assert detector.validate(value)
    assert detector.kind(value) == brand


@pytest.mark.parametrize("value", [
    "1748503543012",          # Luhn-valid, no issuer starts with 1
    "0000 0000 0000 0000",    # Luhn-valid filler
    "4111111111111112",       # Luhn fails
    "378282246310005000",     # Amex prefix, wrong length
    "4111_1111_1111_1111",    # underscores are not card separators
    "41 11 11 11 11 11 11 11",  # groups shorter than three digits
    "card 4111111111111111",  # not the whole cell
    "",
])
def test_rejected_cells(value: str) -> None:
    assert detector.valid_cells(_cells(value)).to_list() == [False]


def test_vectorised_matches_scalar_validation() -> None:
    values = ["4111111111111111", "5555-5555-5555-4444", "1748503543012", "4111111111111112",
              "6011000990139424", "0000000000000000", "12345", "2221000000000009"]
    expected = [detector.validate(v) for v in values]
    assert detector.valid_cells(_cells(*values, None)).to_list() == [*expected, False]


def test_mask_hides_the_middle() -> None:
    assert detector.mask("4111111111111111") == "4111 **** **** 1111"
    assert detector.mask("4111-1111-1111-1111") == "4111-****-****-1111"
    masked = detector.mask("378282246310005")
    assert "8224631" not in masked.replace(" ", "")


def test_normalize_merges_formats() -> None:
    cells = _cells("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111")
    assert detector.normalize_cells(cells).unique().to_list() == ["4111111111111111"]
    assert detector.normalize("4111 1111 1111 1111") == "4111111111111111"


def test_text_splits_adjacent_cards() -> None:
    text = "cards 4111 1111 1111 1111 5555 5555 5555 4444 and 4012-8888-8888-1882."
    assert [v for _, _, v in detector.find_in_text(text)] == [
        "4111 1111 1111 1111", "5555 5555 5555 4444"]


def _found(row: dict[str, str]) -> int:
    value = row["value_or_text"]
    if row["kind"] == "value" and int(row["expected_matches"]) <= 1:
        return int(valid(detector, value))
    return len(detector.find_in_text(value))


def test_reference_cases_precision_and_recall() -> None:
    score = Score.over(unflagged("payment_card", EXCEPTIONS), _found)
    assert score.precision >= 0.98
    assert score.recall >= 0.97


def test_issuer_table_agrees_with_card_brand() -> None:
    # Two- to six-digit prefixes around every range, padded to each length from 11 to 20.
    prefixes = [str(p) for p in range(10, 100)] + [str(p) for p in range(2200, 2800)] + [
        str(p) for p in range(3000, 3600)] + [str(p) for p in range(6000, 6600)] + [
        "622125", "622126", "622925", "622926", "700673", "700674", "700678", "700679",
        "8170", "8171", "8172", "7050", "7060"]
    numbers = [p + "7" * (length - len(p)) for p in prefixes for length in range(11, 21)]
    matched = [12 <= len(n) <= 19 and bool(_ISSUER_LENGTHS[int(n[:6])] >> (len(n) - 12) & 1)
               for n in numbers]
    assert matched == [card_brand(n) is not None for n in numbers]
    assert sum(matched) > 1000
