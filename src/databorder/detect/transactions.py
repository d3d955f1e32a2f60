"""Payment and transaction records: an amount tied to a card, an account, a merchant or a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import polars as pl

from .base import TableDetector, TableMatch
from .context import name_matches

_AMOUNT_WORDS = (
    "amount", "total", "price", "sum", "charge", "payment_amount", "金额", "总额", "价格",
    "支付金额", "betrag", "summe", "preis", "montant", "prix", "importe", "monto", "precio",
)
_MERCHANT_WORDS = (
    "merchant", "merchant_name", "payee", "商户", "商家", "händler", "haendler", "commerçant",
    "commercant", "comercio",
)
_TIME_WORDS = (
    "timestamp", "time", "date", "datetime", "created_at", "paid_at", "transaction_date",
    "时间", "日期", "zeit", "datum", "heure", "fecha", "hora",
)
_ID_WORDS = (
    "transaction_id", "txn_id", "tx_id", "order_id", "payment_id", "交易号", "订单号",
    "transaktions_id", "id",
)
_ACCOUNT_CATEGORIES = ("payment_card", "bank_account")
_PERSON_CATEGORIES = ("email", "phone", "person_name", "government_id")
_CATALOGUE_WORDS = ("product", "sku", "item", "商品", "artikel", "produit", "producto")


def _columns_named(sample: pl.DataFrame, words: Sequence[str]) -> list[str]:
    return [c for c in sample.columns if name_matches(c, words)]


def _row_identifier(sample: pl.DataFrame, taken: Sequence[str]) -> str | None:
    """The most specific transaction or order identifier column, if any."""
    for word in _ID_WORDS:
        for column in sample.columns:
            if column not in taken and name_matches(column, (word,)):
                return column
    return None


def _is_time(sample: pl.DataFrame, column: str) -> bool:
    dtype = sample.schema[column]
    return dtype.is_temporal() or bool(name_matches(column, _TIME_WORDS))


def _is_numeric_amount(sample: pl.DataFrame, column: str) -> bool:
    values = sample[column]
    if values.dtype.is_numeric():
        return True
    if values.dtype != pl.String:
        return False
    present = values.drop_nulls()
    if present.len() == 0:
        return False
    cleaned = present.str.strip_chars().str.replace_all(r"[,\s$€£¥]", "")
    parsed = cleaned.cast(pl.Float64, strict=False).is_not_null()
    return parsed.sum() >= 0.9 * parsed.len()


class PaymentRecordsDetector(TableDetector):
    """Tables of payments or transactions: amounts tied to a payer or a moment.

    An amount column (``amount``, ``total``, ``price``, ``金额``, ``Betrag``, ``montant``,
    ``importe``, numeric values) is a transaction record when the same row also holds a card
    or account (a column already classified ``payment_card`` or ``bank_account``), a person
    (a column classified ``email``, ``phone``, ``person_name`` or ``government_id``), a
    merchant (``merchant``, ``商户``, ``Händler``, ``commerçant``, ``comercio``), or a time.
    A time alone is weak evidence: a table with product/SKU columns and no payer or
    merchant (a catalogue or price history) is not flagged. Transaction histories are
    personal financial data (28 CFR 202.240) and PIPL Art. 28 sensitive personal information.

    The match counts rows (``key`` is None) unless the table has a transaction or order
    identifier, whose distinct values are then counted. Reference: 28 CFR 202.240
    ("information from ... purchases, transactions, payments").
    """

    name: ClassVar[str] = "transactions.payment_records"
    categories: ClassVar[tuple[str, ...]] = ("financial_transaction",)

    def detect_table(
        self, sample: pl.DataFrame, column_categories: Mapping[str, str]
    ) -> Sequence[TableMatch]:
        amounts = [c for c in _columns_named(sample, _AMOUNT_WORDS)
                   if _is_numeric_amount(sample, c) and c not in column_categories]
        if not amounts:
            return []
        accounts = [c for c in sample.columns if column_categories.get(c) in _ACCOUNT_CATEGORIES]
        persons = [c for c in sample.columns if column_categories.get(c) in _PERSON_CATEGORIES]
        merchants = _columns_named(sample, _MERCHANT_WORDS)
        times = [c for c in sample.columns if _is_time(sample, c)]
        payer_or_merchant = bool(accounts or persons or merchants)
        # A time alone is weak: a catalogue or price history has dates too.
        if not payer_or_merchant and (not times or _columns_named(sample, _CATALOGUE_WORDS)):
            return []
        fields = tuple(dict.fromkeys([amounts[0], *accounts, *persons, *merchants, *times]))
        identifier = _row_identifier(sample, fields)
        key = pl.col(identifier).cast(pl.String) if identifier is not None else None
        parts = []
        if accounts:
            parts.append(f"card/account {', '.join(accounts)}")
        if persons:
            parts.append(f"person {', '.join(persons)}")
        if merchants:
            parts.append(f"merchant {', '.join(merchants)}")
        if times:
            parts.append(f"time {', '.join(times)}")
        reason = f"amount column {amounts[0]!r} in the same rows as " + "; ".join(parts)
        confidence = 0.9 if accounts else 0.75 if payer_or_merchant else 0.6
        return [TableMatch(
            category="financial_transaction",
            fields=fields,
            confidence=confidence,
            reason=reason,
            key=key,
            row_filter=pl.col(amounts[0]).is_not_null(),
            details={"amount": amounts[0], "row_id": identifier or ""},
        )]
