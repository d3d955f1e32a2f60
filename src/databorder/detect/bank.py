"""Bank accounts: IBAN, US ABA routing numbers and domestic account numbers."""

from __future__ import annotations

import re
from typing import ClassVar

import polars as pl
from stdnum import iban, numdb
from stdnum.us import rtn

from .base import Detector
from .masking import mask_all_but_last
from .vectorized import keep_bytes

_NOT_DIGIT = re.compile(r"[^0-9]")
_IBAN_PART = re.compile(r"[A-Z0-9]+")


def _digits(candidate: str) -> str:
    return _NOT_DIGIT.sub("", candidate)


def _frame_select(values: pl.Series, expr: pl.Expr) -> pl.Series:
    return pl.DataFrame({"v": values}).select(expr.fill_null(False).alias(values.name)).to_series()


_BBAN_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LETTER_NUMBERS = [str(10 + i) for i in range(26)]
_CHUNK = 18
"""Digits per integer step of the mod-97 sum: below 10**18, plus 97 * 97, fits an Int64."""
_IBAN_DIGITS = 72
"""At most 34 characters, two digits per letter: 68, rounded up to whole chunks."""


def _registry_pattern() -> str:
    """One Rust regex of every compact IBAN in stdnum's registry (``iban.dat``): country code,
    two check digits and the country's BBAN structure, hence also its registered length."""
    forms = []
    for _, country, _, properties, _ in numdb.get("iban").prefixes:
        bban = _BBAN_PART.sub(lambda m: f"{_BBAN_CLASS[m[2]]}{{{m[1]}}}",
                              properties.get("bban", ""))
        if bban:
            forms.append(f"{country}[0-9]{{2}}{bban}")
    return "^(?:" + "|".join(forms) + ")$"


_IBAN_REGISTRY = _registry_pattern()


def iban_compact_cells(values: pl.Series) -> pl.Series:
    """``stdnum.iban.compact`` over a column: separators (space, dash, dot) out, upper case."""
    return keep_bytes(values, bytes(b for b in range(256) if b not in b" .-\t"), upper=True)


def iban_count_cells(compact: pl.Series) -> pl.Series:
    """The registry structure and the ISO 7064 mod-97 check, over compact IBANs.

    The check reads the number with its first four characters moved to the end, letters as
    10-35: here (BBAN digits * 10**6 + country and check digits) mod 97, the BBAN's digits
    taken from the left in Int64 chunks of 18. Steps are materialised columns, so that no
    expression is recomputed per chunk.
    """
    col = pl.col
    frame = pl.DataFrame({"c": compact}).with_columns(
        d=col("c").str.slice(4).str.replace_many(_LETTERS, _LETTER_NUMBERS),
        front=col("c").str.slice(0, 4).str.replace_many(_LETTERS, _LETTER_NUMBERS)
        .cast(pl.Int64, strict=False),
        registered=col("c").str.contains(_IBAN_REGISTRY),
    )
    remainder: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for start in range(0, _IBAN_DIGITS, _CHUNK):
        chunk = col("d").str.slice(start, _CHUNK)
        scale = pl.lit(10, dtype=pl.Int64).pow(chunk.str.len_chars()) % 97
        remainder = (remainder * scale + chunk.cast(pl.Int64, strict=False).fill_null(0)) % 97
    valid = col("registered") & ((remainder * (10 ** 6 % 97) + col("front")) % 97 == 1)
    return frame.select(valid.fill_null(False)).to_series().alias(compact.name)


class IbanDetector(Detector):
    """International Bank Account Numbers (ISO 13616).

    An IBAN names one person's (or firm's) bank account: personal financial data under
    28 CFR 202.240 and PIPL Art. 28. Validation is ``stdnum.iban`` in full: mod-97 check
    digits, the country's registered length and BBAN structure, and the national checks
    stdnum has (Belgium, Spain, Norway, Montenegro). The compact form and the print form in
    groups (spaces, dashes or dots, as stdnum's own examples write them) are accepted, in
    upper or lower case, as ``stdnum.iban`` accepts them; in free text the country code must
    be upper case.

    Column samples (:meth:`valid_cells`) and text get the full stdnum check, once per
    distinct value. The full pass over a column already classified (:meth:`count_cells`)
    checks, vectorised, the registry structure and length (a regex built from stdnum's own
    ``iban.dat`` registry at import) and the mod-97 check digits, not the few national checks.
    Canonical form: compact, upper case, computed vectorised.

    Masked example: ``DE89 **** **** **** **30 00`` (country and check digits, last four).
    References: ISO 13616-1:2020; SWIFT IBAN Registry; python-stdnum ``stdnum.iban``.
    """

    category: ClassVar[str] = "bank_account"
    name: ClassVar[str] = "bank.iban"
    header_words: ClassVar[tuple[str, ...]] = (
        "iban", "iban_number", "iban_code", "国际银行账号", "bankverbindung",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "iban", "bank", "account", "konto", "compte", "cuenta", "账户", "账号",
    )
    # Country code, check digits, then groups split by spaces, dashes or dots (``BE 68 5390
    # 0754 7034``, ``NO 44 1850.05.14562``); stdnum checks the length and structure.
    cell_pattern: ClassVar[str] = r"[A-Za-z]{2} ?[0-9]{2}(?:[ .-]?[A-Za-z0-9]+)+"
    # A separator between groups is required here so that backtracking stays linear.
    text_pattern: ClassVar[str] = (
        r"(?<![A-Za-z0-9])[A-Z]{2} ?[0-9]{2}[ .-]?[A-Z0-9]{1,30}(?:[ .-][A-Z0-9]{1,30}){0,9}"
        r"(?![A-Za-z0-9])"
    )
    prefilter: ClassVar[str] = r"[A-Z]{2} ?[0-9]{2}[ .-]?[A-Z0-9]"
    # compact or grouped by single spaces, upper case, as IBANs are printed in prose; other
    # spellings are left to the Python pass (``text_pattern``)
    text_extract: ClassVar[str] = (
        r"(?-u:\b)[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)"
        r"(?-u:\b)")

    def validate(self, candidate: str) -> bool:
        return len(candidate) <= 60 and bool(iban.is_valid(candidate))

    def normalize(self, candidate: str) -> str:
        return str(iban.compact(candidate))

    def mask(self, candidate: str) -> str:
        compact = self.normalize(candidate)
        hidden = compact[:4] + "*" * max(len(compact) - 8, 0) + compact[-4:]
        return " ".join(hidden[i:i + 4] for i in range(0, len(hidden), 4))

    def kind(self, candidate: str) -> str | None:
        return "iban"

    def count_cells(self, values: pl.Series) -> pl.Series:
        """Registry structure and length, and mod 97, vectorised (no national checks)."""
        return iban_count_cells(iban_compact_cells(values)).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return iban_compact_cells(values)

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        """IBANs in text; trailing groups that are not part of the IBAN are dropped."""
        found: list[tuple[int, int, str]] = []
        for match in self.text_regex.finditer(text):
            ends = [m.end() for m in _IBAN_PART.finditer(text, match.start(), match.end())]
            for end in reversed(ends):
                candidate = text[match.start():end]
                if self.validate(candidate):
                    found.append((match.start(), end, candidate))
                    break
        return found


def _aba_checksum_ok(digits: pl.Expr) -> pl.Expr:
    """The ABA check: 3, 7, 1 weights over the nine digits sum to a multiple of 10."""
    weights = (3, 7, 1, 3, 7, 1, 3, 7, 1)
    total: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for position, weight in enumerate(weights):
        digit = digits.str.slice(position, 1).cast(pl.Int32, strict=False).fill_null(0)
        total = total + digit * weight
    return (total % 10) == 0


class AbaRoutingDetector(Detector):
    """US ABA routing transit numbers (RTN).

    Nine digits whose 3-7-1 weighted sum is a multiple of ten (``stdnum.us.rtn``), also
    written ``0711-0130-7``. A routing number names a bank, not a person, but next to an
    account number it pins down an account (28 CFR 202.240). One nine-digit number in ten
    passes the checksum, so the detector needs a header or nearby word (``routing``,
    ``aba``, ``rtn``, ``transit``).

    Masked example: ``*****0358``. References: ABA Key to Routing Numbers; python-stdnum
    ``stdnum.us.rtn``.
    """

    category: ClassVar[str] = "bank_account"
    name: ClassVar[str] = "bank.aba_routing"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "routing", "aba", "rtn", "routing_number", "routing_no", "transit", "transit_number",
        "路由号", "bankleitzahl", "numéro de routage", "número de ruta",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "routing", "aba", "rtn", "transit", "路由", "bankleitzahl", "routage", "ruta",
    )
    cell_pattern: ClassVar[str] = r"[0-9]{9}|[0-9]{4}-[0-9]{4}-[0-9]"
    text_pattern: ClassVar[str] = r"(?<![0-9-])(?:[0-9]{9}|[0-9]{4}-[0-9]{4}-[0-9])(?![0-9-])"
    prefilter: ClassVar[str] = r"[0-9]{4}-?[0-9]{4}-?[0-9]"

    def validate(self, candidate: str) -> bool:
        digits = _digits(candidate)
        return digits != "000000000" and bool(rtn.is_valid(digits))

    def normalize(self, candidate: str) -> str:
        return _digits(candidate)

    def mask(self, candidate: str) -> str:
        return mask_all_but_last(candidate.strip(), keep=4)

    def kind(self, candidate: str) -> str | None:
        return "aba_routing"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = pl.col("v").str.strip_chars()
        digits = stripped.str.replace_all("-", "")
        valid = (
            stripped.str.contains(f"^(?:{self.cell_pattern})$")
            & (digits != "000000000")
            & _aba_checksum_ok(digits)
        )
        return _frame_select(values, valid)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all("[^0-9]", "")


class BankAccountNumberDetector(Detector):
    """Domestic bank account numbers (6 to 17 digits) under an account header or word.

    Account numbers have no common checksum or shape, so values alone prove nothing: the
    detector fires only with a header such as ``account_number``, ``Kontonummer``,
    ``银行账户`` or a nearby word in text. Digits may be grouped by spaces or dashes;
    all-same-digit fillers are rejected. Personal financial data (28 CFR 202.240).

    Masked example: ``********6789``. Reference: US ABA account numbers are 4 to 17 digits
    (Nacha file format, field "DFI Account Number", 17 characters).
    """

    category: ClassVar[str] = "bank_account"
    name: ClassVar[str] = "bank.account_number"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "account_number", "account_no", "acct_no", "acct_number", "acct_num", "bank_account",
        "bank_account_number", "账号", "银行账户", "银行账号", "账户号码",
        "kontonummer", "konto_nr", "numéro de compte", "numero de compte", "numero_de_cuenta",
        "número de cuenta", "cuenta bancaria",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "account number", "account no", "acct", "bank account", "账号", "账户", "kontonummer",
        "konto", "numéro de compte", "compte", "número de cuenta", "numero de cuenta", "cuenta",
    )
    cell_pattern: ClassVar[str] = r"[0-9]{6,17}|[0-9]{2,8}(?:[ -][0-9]{2,8}){1,4}"
    text_pattern: ClassVar[str] = (
        r"(?<![0-9A-Za-z-])(?:[0-9]{6,17}|[0-9]{2,8}(?:[ -][0-9]{2,8}){1,4})(?![0-9A-Za-z-])"
    )
    prefilter: ClassVar[str] = r"[0-9]{2}"

    def validate(self, candidate: str) -> bool:
        digits = _digits(candidate)
        return 6 <= len(digits) <= 17 and len(set(digits)) > 1

    def normalize(self, candidate: str) -> str:
        return _digits(candidate)

    def mask(self, candidate: str) -> str:
        # Short numbers keep fewer digits so that at least two thirds stay hidden.
        return mask_all_but_last(candidate.strip(), keep=min(4, len(_digits(candidate)) // 3))

    def kind(self, candidate: str) -> str | None:
        return "account_number"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = pl.col("v").str.strip_chars()
        digits = stripped.str.replace_all("[ -]", "")
        valid = (
            stripped.str.contains(f"^(?:{self.cell_pattern})$")
            & digits.str.len_chars().is_between(6, 17)
            & (digits.str.strip_chars(digits.str.head(1)) != "")
        )
        return _frame_select(values, valid)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all("[^0-9]", "")
