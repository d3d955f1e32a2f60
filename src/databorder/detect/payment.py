"""Payment card numbers (PAN): Luhn check digit plus issuer ranges (IIN) and lengths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants, _parser  # type: ignore[attr-defined]  # issuer prefixes
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl
from stdnum import luhn

from .base import Detector
from .masking import mask_middle_digits
from .vectorized import SeparatedDigits, luhn_valid_numbers


@dataclass(frozen=True, slots=True)
class CardBrand:
    """One issuer: a prefix pattern (valid in both Rust and Python regex) and allowed lengths."""

    name: str
    prefix: str
    lengths: tuple[int, ...]

    @property
    def regex(self) -> str:
        return f"^(?:{self.prefix})[0-9]*$"


def _span(low: int, high: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1))


# Order matters: the first brand that claims a number names it (Discover and UnionPay sit
# inside the broad Maestro ranges). Ranges: ISO/IEC 7812 issuer tables as published by the
# networks and summarised in Wikipedia "Payment card number"; legacy JCB, UnionPay 81 and
# the petroleum (MII 7) fleet ranges follow ActiveMerchant's credit_card_methods.rb.
CARD_BRANDS: tuple[CardBrand, ...] = (
    CardBrand("visa", "4", (13, 16, 19)),
    CardBrand("mir", "220[0-4]", (16,)),
    CardBrand("mastercard", "5[1-5]|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720",
              (16,)),
    CardBrand("amex", "3[47]", (15,)),
    CardBrand("discover",
              "6011|64[4-9]|65|622(?:12[6-9]|1[3-9][0-9]|[2-8][0-9]{2}|9[01][0-9]|92[0-5])",
              _span(16, 19)),
    CardBrand("jcb", "35(?:2[89]|[3-8][0-9])|308[89]|309[0-4]|309[6-9]|310[0-2]|311[2-9]|3120"
              "|315[89]|333[7-9]|334[0-9]", _span(16, 19)),
    CardBrand("diners", "30[0-5]|3095|36|3[89]", _span(14, 16)),
    CardBrand("unionpay", "62|81(?:[0-6][0-9]|7[01])", _span(16, 19)),
    CardBrand("maestro", "50|5[6-9]|6[0-9]", _span(12, 19)),
    CardBrand("fleet", "705[0-9]", (17,)),
    CardBrand("fleet", "70067[4-8]", (18, 19)),
)

_BRAND_REGEXES = tuple((brand, re.compile(brand.regex)) for brand in CARD_BRANDS)


def _expand(items: Any) -> list[str]:
    """Every string a fixed-width regex without quantified ranges matches (issuer prefixes:
    literals, classes, groups, alternatives and ``{n}``)."""
    strings = [""]
    for op, arg in items:
        if op is _constants.LITERAL:
            options = [chr(arg)]
        elif op is _constants.IN:
            options = []
            for kind, value in arg:
                if kind is _constants.LITERAL:
                    options.append(chr(value))
                elif kind is _constants.RANGE:
                    options.extend(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    raise ValueError(f"unexpected class item {kind}")
        elif op is _constants.SUBPATTERN:
            options = _expand(arg[-1])
        elif op is _constants.BRANCH:
            options = [s for branch in arg[1] for s in _expand(branch)]
        elif op is _constants.MAX_REPEAT and arg[0] == arg[1]:
            options = [""]
            for _ in range(arg[0]):
                options = [a + b for a in options for b in _expand(arg[2])]
        else:
            raise ValueError(f"issuer prefix with {op}: not of fixed width")
        strings = [a + b for a in strings for b in options]
    return strings


_PREFIX_DIGITS = 6
_MIN_CARD = 12


def _issuer_length_table() -> npt.NDArray[np.uint8]:
    """Per six-digit prefix, a bit per card length from 12 to 19 (bit ``length - 12``) that
    some issuer range with that prefix allows. Ranges are at most six digits wide, and a
    lookup by number replaces a regex of every range with its lengths (five times slower)."""
    table = np.zeros(10 ** _PREFIX_DIGITS, dtype=np.uint8)
    for brand in CARD_BRANDS:
        bits = sum(1 << (n - _MIN_CARD) for n in brand.lengths)
        for prefix in _expand(_parser.parse(brand.prefix)):
            width = len(prefix)
            if width > _PREFIX_DIGITS:
                raise ValueError(f"card prefix {prefix!r} longer than {_PREFIX_DIGITS} digits")
            scale = 10 ** (_PREFIX_DIGITS - width)
            table[int(prefix) * scale:(int(prefix) + 1) * scale] |= bits
    return table


_ISSUER_LENGTHS = _issuer_length_table()
_GROUPED_CARD = r"^[0-9]{3,9}(?:[ -][0-9]{3,9}){1,6}$"
"""The grouped form of :attr:`PaymentCardDetector.cell_pattern` (bare digits are read as
numbers)."""
_SEPARATORS = re.compile(r"[ -]")
_GROUP = re.compile(r"[0-9]+")
_MAX_GROUPS_IN_RUN = 40


def card_brand(digits: str) -> str | None:
    """The brand whose issuer range and lengths fit ``digits``, or None."""
    for brand, regex in _BRAND_REGEXES:
        if len(digits) in brand.lengths and regex.match(digits):
            return brand.name
    return None


def _digits(candidate: str) -> str:
    return _SEPARATORS.sub("", candidate)


_REPEATED_NUMBERS = np.array([
    int(str(digit) * length) for digit in range(1, 10) for length in range(_MIN_CARD, 20)
    if card_brand(str(digit) * length) and luhn.is_valid(str(digit) * length)
], dtype=np.uint64)
"""Fillers (one digit repeated) in an issuer range that pass Luhn (``6666666666666``)."""


class PaymentCardDetector(Detector):
    """Payment card numbers (credit, debit, prepaid, fleet).

    A card number is personal financial data (28 CFR 202.240) and sensitive personal
    information under PIPL Art. 28; PCI DSS also forbids storing it unmasked. A value must
    pass the Luhn check (``stdnum.luhn``; an integer form in Polars for whole columns) *and*
    fall in a known issuer range with that range's length, so Luhn-valid numbers such as
    ``1748 **** *012`` (no issuer starts with 1) and all-same-digit fillers such as
    ``0000 **** **** 0000`` are rejected. Digits may be written in groups of 3 to 9
    separated by single spaces or dashes (``4111 1111 1111 1111``, ``3782-822463-10005``).

    Brands (see :data:`CARD_BRANDS`): Visa, Mastercard, Amex, Discover, JCB, Diners,
    UnionPay, Maestro, Mir and petroleum fleet cards; :meth:`kind` names the brand.
    Masked example: ``4111 **** **** 1111``.

    References: ISO/IEC 7812-1; Wikipedia "Payment card number" (IIN ranges);
    ActiveMerchant ``credit_card_methods.rb`` (legacy JCB, UnionPay 81, fleet ranges).
    """

    category: ClassVar[str] = "payment_card"
    name: ClassVar[str] = "payment.card"
    header_words: ClassVar[tuple[str, ...]] = (
        "card_number", "card_no", "card_num", "cardnumber", "cardno", "cc_number", "cc_num",
        "ccnum", "pan", "credit_card", "creditcard", "debit_card", "payment_card",
        "卡号", "信用卡", "银行卡号", "银行卡", "借记卡",
        "kartennummer", "kreditkarte", "kreditkartennummer",
        "numéro de carte", "numero de carte", "carte bancaire", "carte de crédit",
        "numero_tarjeta", "número de tarjeta", "tarjeta de crédito", "tarjeta de credito",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "card", "visa", "mastercard", "amex", "credit", "debit", "信用卡", "卡号", "银行卡",
        "karte", "carte", "tarjeta",
    )
    cell_pattern: ClassVar[str] = r"[0-9]{12,19}|[0-9]{3,9}(?:[ -][0-9]{3,9}){1,6}"
    # A run of digit groups; find_in_text picks the card numbers out of it.
    text_pattern: ClassVar[str] = r"(?<![0-9A-Za-z-])[0-9]+(?:[ -][0-9]+)*(?![0-9A-Za-z])"
    prefilter: ClassVar[str] = r"[0-9]{3}[ -]?[0-9]{3}"
    # Text columns (Polars): a whole run of digit groups, with any letters glued to it (so that
    # ``ref-4111...`` fails); runs holding more than one number are left to find_in_text.
    text_extract: ClassVar[str] = r"[A-Za-z_-]*[0-9]+(?:[ -][0-9]+)*[A-Za-z_]*"
    # at least 12 digits (the shortest card), one separator at most between two
    text_rows: ClassVar[str] = r"[0-9](?:[ -]?[0-9]){11}"

    def validate(self, candidate: str) -> bool:
        digits = _digits(candidate)
        if not digits.isdigit() or len(set(digits)) == 1:
            return False
        return card_brand(digits) is not None and bool(luhn.is_valid(digits))

    def normalize(self, candidate: str) -> str:
        return _digits(candidate)

    def mask(self, candidate: str) -> str:
        return mask_middle_digits(candidate.strip())

    def kind(self, candidate: str) -> str | None:
        return card_brand(_digits(candidate))

    def valid_cells(self, values: pl.Series) -> pl.Series:
        return self.count_cells(values.str.strip_chars())

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The full check, on cells already stripped (as the full pass and text give them):
        the grouping of :attr:`cell_pattern`, one issuer range with its length
        (:data:`_ISSUER_LENGTHS`), the Luhn check (NumPy) and not one digit repeated."""
        return self.count_and_normalize(values)[0]

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """The grouping of :attr:`cell_pattern` (a regex only for cells that are not bare
        digits), then on the digits as numbers in NumPy: an issuer range allowing that
        length (:data:`_ISSUER_LENGTHS`), the Luhn check
        and no one-digit filler. The normal form is the digits."""
        read = SeparatedDigits(values, _GROUPED_CARD)
        cells = read.cells
        length_bit = np.clip(cells.lengths - _MIN_CARD, 0, 7).astype(np.uint8)
        issuer = (_ISSUER_LENGTHS.take(cells.leading(_PREFIX_DIGITS)) >> length_bit) & 1
        valid = (read.shaped & cells.plain & (cells.lengths >= _MIN_CARD) & issuer.astype(np.bool_)
                 & luhn_valid_numbers(cells.numbers)
                 & ~np.isin(cells.numbers, _REPEATED_NUMBERS))
        return pl.Series(values.name, valid, dtype=pl.Boolean), read.digits(valid)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        """The digits; cells come stripped and valid (digits, spaces and dashes only)."""
        return values.str.replace_all("[ -]", "")

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for run in self.text_regex.finditer(text):
            found.extend(self._cards_in_run(text, run.start(), run.end()))
        return found

    def _cards_in_run(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Longest valid card numbers made of consecutive digit groups, left to right."""
        groups = [(m.start(), m.end())
                  for m in _GROUP.finditer(text, start, end)][:_MAX_GROUPS_IN_RUN]
        found: list[tuple[int, int, str]] = []
        first = 0
        while first < len(groups):
            for last in range(len(groups) - 1, first - 1, -1):
                candidate = text[groups[first][0]:groups[last][1]]
                if self._grouping_ok(groups[first:last + 1]) and self.validate(candidate):
                    found.append((groups[first][0], groups[last][1], candidate))
                    first = last
                    break
            first += 1
        return found

    @staticmethod
    def _grouping_ok(groups: list[tuple[int, int]]) -> bool:
        sizes = [e - s for s, e in groups]
        if len(sizes) == 1:
            return 12 <= sizes[0] <= 19
        return len(sizes) <= 7 and all(3 <= n <= 9 for n in sizes) and 12 <= sum(sizes) <= 19
