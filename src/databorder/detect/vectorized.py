"""Check-digit tests written as Polars expressions, so they run over whole columns."""

from __future__ import annotations

import polars as pl


def digits_only(values: pl.Expr) -> pl.Expr:
    """Drop everything but ASCII digits."""
    return values.str.replace_all(r"[^0-9]", "")


def luhn_valid(digits: pl.Expr, max_len: int = 19) -> pl.Expr:
    """True where a string of digits (at most ``max_len`` long) passes the Luhn check."""
    reversed_digits = digits.str.reverse()
    total: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for position in range(max_len):
        digit = reversed_digits.str.slice(position, 1).cast(pl.Int32, strict=False).fill_null(0)
        if position % 2 == 1:
            digit = digit * 2
            digit = pl.when(digit > 9).then(digit - 9).otherwise(digit)
        total = total + digit
    return (total % 10) == 0
