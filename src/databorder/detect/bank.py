"""Bank accounts: IBAN, US ABA routing numbers and domestic account numbers."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl
from stdnum import iban, numdb
from stdnum.us import rtn
from stdnum.util import get_cc_module

from .base import Detector
from .masking import mask_all_but_last
from .vectorized import byte_table, keep_bytes, string_bytes

_NOT_DIGIT = re.compile(r"[^0-9]")
_IBAN_PART = re.compile(r"[A-Z0-9]+")


def _digits(candidate: str) -> str:
    return _NOT_DIGIT.sub("", candidate)


def _frame_select(values: pl.Series, expr: pl.Expr) -> pl.Series:
    return pl.DataFrame({"v": values}).select(expr.fill_null(False).alias(values.name)).to_series()


_BBAN_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_IBAN_MAX = 34
"""ISO 13616: at most 34 characters."""
_BBAN_CLASS = {"n": 1, "a": 2, "c": 3}
"""Position classes of the registry structure: 0 letter of the country code, 1 digit, 2 upper
case letter, 3 either."""
_CLASS_TABLE = np.zeros((4, 256), dtype=np.bool_)
_CLASS_TABLE[0] = byte_table(bytes(range(ord("A"), ord("Z") + 1)))
_CLASS_TABLE[1] = byte_table(b"0123456789")
_CLASS_TABLE[2] = _CLASS_TABLE[0]
_CLASS_TABLE[3] = _CLASS_TABLE[0] | _CLASS_TABLE[1]
_CHAR_VALUE = np.zeros(256, dtype=np.int32)
_CHAR_VALUE[ord("0"):ord("9") + 1] = np.arange(10)
_CHAR_VALUE[ord("A"):ord("Z") + 1] = np.arange(10, 36)
_POW10_MOD97 = np.array([pow(10, e, 97) for e in range(2 * _IBAN_MAX + 1)], dtype=np.int32)


def _registry_tables() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    """Per country code (its two bytes as one index), the registered length (0: none) and
    the class of each position (country code, check digits, then the BBAN structure)."""
    lengths = np.zeros(1 << 16, dtype=np.int64)
    classes = np.zeros((1 << 16, _IBAN_MAX), dtype=np.int8)
    for _, country, _, properties, _ in numdb.get("iban").prefixes:
        parts = _BBAN_PART.findall(properties.get("bban", ""))
        if not parts or len(country) != 2:
            continue
        row = [0, 0, 1, 1] + [_BBAN_CLASS[kind] for count, kind in parts
                              for _ in range(int(count))]
        key = country.encode()[0] << 8 | country.encode()[1]
        lengths[key] = len(row)
        classes[key, :len(row)] = row
    return lengths, classes


_REGISTERED_LENGTH, _POSITION_CLASS = _registry_tables()
_BBAN_LETTERS: npt.NDArray[np.bool_] = np.asarray((_POSITION_CLASS[:, 4:] >= 2).any(axis=1))
"""Per country code: its BBAN structure has positions that may hold letters."""


_MAX_IBAN_CELL = 60
"""Longest cell read as an IBAN (34 characters, spaced in groups of four, and some slack)."""
_SEPARATORS = byte_table(b" .-\t")
_NOT_COMPACT = _SEPARATORS | byte_table(bytes(range(ord("a"), ord("z") + 1)))


def iban_compact_cells(values: pl.Series) -> pl.Series:
    """``stdnum.iban.compact`` over a column: separators (space, dash, dot) out, upper case.

    A batch whose bytes hold no separator and no lower-case letter is its own compact form
    (IBAN columns are mostly stored compact); otherwise the bytes are filtered in NumPy.
    """
    _, data = string_bytes(values)
    # separators sort below "0" and lower case above "Z": a range test of the bytes is cheaper
    # than a lookup of each of them
    if not data.size or (data.min() >= ord("0") and data.max() <= ord("Z")):
        return values
    if not _NOT_COMPACT.take(data).any():
        return values
    return keep_bytes(values, bytes(b for b in range(256) if not _SEPARATORS[b]), upper=True)


def iban_count_cells(compact: pl.Series) -> pl.Series:
    """The registry structure and the ISO 7064 mod-97 check, over compact IBANs.

    NumPy over the bytes: a cell is kept when its length is the one registered for its
    country code (stdnum's ``iban.dat``) and each position holds its class (country letters,
    check digits, then the BBAN's ``n``/``a``/``c`` positions). Cells of one length are laid
    out as a matrix (a reshape when the whole batch has one length).
    """
    offsets, data = string_bytes(compact)
    lengths = np.diff(offsets)
    valid = np.zeros(lengths.size, dtype=np.bool_)
    rows = np.flatnonzero(lengths >= 4)
    starts = offsets[rows]
    keys = data[starts].astype(np.int64) << 8 | data[starts + 1]
    registered = _REGISTERED_LENGTH[keys] == lengths[rows]
    rows, keys = rows[registered], keys[registered]
    row_lengths = lengths[rows]
    one_length = row_lengths.size and row_lengths.min() == row_lengths.max()
    for length in row_lengths[:1].tolist() if one_length else np.unique(row_lengths).tolist():
        if rows.size == lengths.size and data.size == length * rows.size:
            these, their_keys, matrix = rows, keys, data.reshape(-1, length)
        else:
            same = row_lengths == length
            these, their_keys = rows[same], keys[same]
            matrix = data[offsets[these][:, None] + np.arange(length)]
        if their_keys[0] == their_keys[-1] and (their_keys == their_keys[0]).all():
            classes = _POSITION_CLASS[their_keys[0], :length].astype(np.int16)[None, :]
        else:
            classes = _POSITION_CLASS[their_keys, :length].astype(np.int16)
        shaped = _CLASS_TABLE.ravel().take((classes << 8) | matrix).all(axis=1)
        valid[these] = shaped & _mod97_is_one(matrix, _BBAN_LETTERS[their_keys])
    return pl.Series(compact.name, valid, dtype=pl.Boolean)


def _mod97_is_one(matrix: npt.NDArray[np.uint8], may_have_letters: npt.NDArray[np.bool_]
                  ) -> npt.NDArray[np.bool_]:
    """ISO 7064 mod 97-10 over IBANs of one length, shaped (country letters, check digits).

    The check reads each IBAN with its first four characters moved to the end and letters as
    10-35: the sum of each character's value times 10 to the power of the decimal digits
    after it, mod 97. Where the BBAN is all digits (most countries, and every German IBAN)
    those powers are the same for every row, so the sum is one product with a fixed vector;
    rows with letters in the BBAN take the per-row powers (only rows whose country's
    structure allows letters, ``may_have_letters``, are looked at).
    """
    length = matrix.shape[1]
    values = _CHAR_VALUE.take(matrix)
    # country letters (two digits each), then check digits, as read after the BBAN
    front = [4, 2, 1, 0]
    exponents = np.array(front + [length - 1 - p + 6 for p in range(4, length)], dtype=np.intp)
    total = values @ _POW10_MOD97.take(exponents)
    lettered = np.flatnonzero(may_have_letters)
    if lettered.size:
        lettered = lettered[(values[lettered, 4:] >= 10).any(axis=1)]
    if lettered.size:
        bban = values[lettered, 4:]
        after = np.cumsum((bban[:, ::-1] >= 10), axis=1, dtype=np.intp)[:, ::-1]
        after -= bban >= 10
        weights = _POW10_MOD97.take(exponents[4:] + after)
        total[lettered] = values[lettered, :4] @ _POW10_MOD97.take(exponents[:4]) + (
            bban * weights).sum(axis=1)
    result: npt.NDArray[np.bool_] = total % 97 == 1
    return result


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
    checks, in NumPy over the bytes, the registry structure and length (per-position tables
    built from stdnum's own ``iban.dat`` registry at import) and the mod-97 check digits, not
    the few national checks. Canonical form: compact, upper case (cells already compact are
    returned as they are).

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
        return len(candidate) <= _MAX_IBAN_CELL and bool(iban.is_valid(candidate))

    def normalize(self, candidate: str) -> str:
        return str(iban.compact(candidate))

    def mask(self, candidate: str) -> str:
        compact = self.normalize(candidate)
        hidden = compact[:4] + "*" * max(len(compact) - 8, 0) + compact[-4:]
        return " ".join(hidden[i:i + 4] for i in range(0, len(hidden), 4))

    def kind(self, candidate: str) -> str | None:
        return "iban"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        """``stdnum.iban.is_valid`` in full: the shape, then the registry and mod-97 checks
        vectorised (:meth:`count_cells`, which agree with stdnum's without the national
        checks), then stdnum in Python only for the valid cells of countries that have a
        national check (Belgium, Spain, Montenegro, Norway), once per distinct cell."""
        stripped = values.str.strip_chars()
        shaped = (stripped.str.contains(f"^(?:{self.cell_pattern})$")
                  & (stripped.str.len_chars() <= _MAX_IBAN_CELL)).fill_null(False)
        compact = iban_compact_cells(stripped)
        valid = shaped & iban_count_cells(compact)
        country = compact.str.slice(0, 2)
        national = [code for code in country.filter(valid).unique().to_list()
                    if get_cc_module(code.lower(), "iban") is not None]
        if national:
            asked = valid & country.is_in(national)
            rejected = [v for v in stripped.filter(asked).unique().to_list()
                        if not iban.is_valid(v)]
            valid = valid & ~stripped.is_in(pl.Series(rejected, dtype=pl.String).implode())
        return valid.fill_null(False).alias(values.name)

    def count_cells(self, values: pl.Series) -> pl.Series:
        """Registry structure and length, and mod 97, vectorised (no national checks)."""
        return iban_count_cells(iban_compact_cells(values)).alias(values.name)

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        compact = iban_compact_cells(values)
        counted = iban_count_cells(compact).alias(values.name)
        return counted, compact.filter(counted)

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
