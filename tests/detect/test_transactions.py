"""Payment records: amounts tied to a card, account, person, merchant or time."""

from __future__ import annotations

import datetime as dt

import polars as pl

from databorder.detect.transactions import PaymentRecordsDetector

detector = PaymentRecordsDetector()


def test_orders_with_amount_card_and_time_are_transactions() -> None:
    orders = pl.DataFrame({
        "order_id": ["A1", "A2"], "card_number": ["4111111111111111", "5555555555554444"],
        "amount": [12.5, 99.0], "created_at": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2)],
    })
    [match] = detector.detect_table(orders, {"card_number": "payment_card"})
    assert match.category == "financial_transaction"
    assert match.fields == ("amount", "card_number", "created_at")
    assert match.key is not None
    assert orders.select(match.key.alias("k"))["k"].to_list() == ["A1", "A2"]
    assert "card_number" in match.reason


def test_merchant_and_string_amounts_in_other_languages() -> None:
    rows = pl.DataFrame({"商户": ["咖啡店", "超市"], "金额": ["35.00", "128.50"]})
    [match] = detector.detect_table(rows, {})
    assert match.fields == ("金额", "商户")
    assert match.key is None


def test_product_catalogue_is_not_a_transaction() -> None:
    catalogue = pl.DataFrame({
        "sku": ["X1", "X2"], "product_name": ["Pen", "Cup"], "price": [1.5, 3.0],
        "updated_at": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)],
    })
    assert detector.detect_table(catalogue, {}) == []


def test_amount_header_with_text_values_is_not_an_amount() -> None:
    notes = pl.DataFrame({"total": ["n/a", "see invoice"], "merchant": ["A", "B"]})
    assert detector.detect_table(notes, {}) == []
