"""Payment card numbers (PAN): Luhn check digit plus issuer ranges (IIN) and lengths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _parser  # type: ignore[attr-defined]  # fixed width of issuer prefixes
from typing import ClassVar

import polars as pl
from stdnum import luhn

from .base import Detector
from .masking import mask_middle_digits
from .vectorized import luhn_valid_cells


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


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _lengths_pattern(counts: list[int]) -> str:
    """``[0-9]{a,b}`` for a run of counts, alternatives otherwise."""
    if counts == list(range(counts[0], counts[-1] + 1)):
        return f"[0-9]{{{counts[0]},{counts[-1]}}}" if len(counts) > 1 else f"[0-9]{{{counts[0]}}}"
    return "(?:" + "|".join(f"[0-9]{{{n}}}" for n in counts) + ")"


def _issuer_pattern() -> str:
    """One anchored Rust regex of every issuer range with its lengths, over bare digits.

    Each prefix alternative has a fixed width (checked), so ``prefix[0-9]{length - width}``
    spells range and length together; one regex is about ten times faster than one per brand.
    """
    forms = []
    for brand in CARD_BRANDS:
        for prefix in _top_level_alternatives(brand.prefix):
            low, high = _parser.parse(prefix).getwidth()
            if low != high:
                raise ValueError(f"card prefix {prefix!r} has no fixed width")
            rest = _lengths_pattern(sorted(n - low for n in brand.lengths))
            forms.append(f"(?:{prefix}){rest}")
    return "^(?:" + "|".join(forms) + ")$"


_ISSUER = _issuer_pattern()
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


_REPEATED_DIGITS = pl.Series([
    str(digit) * length for digit in range(10) for length in range(12, 20)
    if card_brand(str(digit) * length) and luhn.is_valid(str(digit) * length)
], dtype=pl.String).implode()
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
        (:data:`_ISSUER`, one regex), the Luhn check (NumPy) and not one digit repeated."""
        return self.count_and_normalize(values)[0]

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        shaped = values.str.contains(f"^(?:{self.cell_pattern})$").fill_null(False)
        digits = values.str.replace_all("[ -]", "")
        valid = (shaped & digits.str.contains(_ISSUER).fill_null(False)
                 & luhn_valid_cells(digits) & ~digits.is_in(_REPEATED_DIGITS).fill_null(False))
        return valid.alias(values.name), digits.filter(valid)

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
